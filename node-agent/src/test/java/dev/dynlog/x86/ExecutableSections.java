package dev.dynlog.x86;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: the executable sections (SHF_EXECINSTR) of an ELF64 little-endian file, read from
 * the section header table. Independent of the product's ELF reader on purpose.
 */
final class ExecutableSections {
  private static final int SHT_NOBITS = 8;
  private static final long SHF_EXECINSTR = 0x4;

  /** One executable section: its name, virtual address and bytes. */
  record Section(String name, long address, byte[] bytes) {
    long end() {
      return address + bytes.length;
    }

    boolean contains(long from, long to) {
      return from >= address && to <= end();
    }
  }

  private ExecutableSections() {}

  static List<Section> read(Path elf) throws IOException {
    ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(elf)).order(ByteOrder.LITTLE_ENDIAN);
    if (file.getInt(0) != 0x464c457f || file.get(4) != 2 || file.get(5) != 1) {
      throw new IOException(elf + " is not an ELF64 little-endian file");
    }
    long shoff = file.getLong(0x28);
    int shentsize = Short.toUnsignedInt(file.getShort(0x3A));
    int shnum = Short.toUnsignedInt(file.getShort(0x3C));
    int shstrndx = Short.toUnsignedInt(file.getShort(0x3E));
    int names = (int) file.getLong((int) (shoff + (long) shstrndx * shentsize + 0x18));
    List<Section> sections = new ArrayList<>();
    for (int i = 0; i < shnum; i++) {
      int header = (int) (shoff + (long) i * shentsize);
      int type = file.getInt(header + 4);
      long flags = file.getLong(header + 8);
      if (type == SHT_NOBITS || (flags & SHF_EXECINSTR) == 0) {
        continue;
      }
      int offset = (int) file.getLong(header + 0x18);
      int size = (int) file.getLong(header + 0x20);
      byte[] bytes = new byte[size];
      file.get(offset, bytes);
      sections.add(
          new Section(
              cString(file, names + file.getInt(header)), file.getLong(header + 0x10), bytes));
    }
    return sections;
  }

  private static String cString(ByteBuffer file, int at) {
    int end = at;
    while (file.get(end) != 0) {
      end++;
    }
    byte[] bytes = new byte[end - at];
    file.get(at, bytes);
    return new String(bytes, StandardCharsets.US_ASCII);
  }
}
