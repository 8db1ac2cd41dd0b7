package dev.dynlog.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates compressed debug sections: {@code SHF_COMPRESSED} (Elf64_Chdr, zlib) and the legacy GNU
 * {@code .zdebug_*} format ("ZLIB" then the 8-byte big-endian uncompressed size). The output buffer
 * grows with the data actually inflated, never beyond the declared size, so a corrupted size field
 * cannot make the reader allocate absurd amounts of memory up front.
 */
final class SectionDecompressor {
  private static final int ELFCOMPRESS_ZLIB = 1;
  private static final int ELFCOMPRESS_ZSTD = 2;

  /** zlib cannot expand data by more than about 1032:1. */
  private static final long MAX_RATIO = 1100;

  private SectionDecompressor() {}

  static ByteBuffer elfCompressed(ElfFile elf, Section s, ByteBuffer raw) {
    if (raw.limit() < 24)
      throw new ElfFormatException(
          elf.path() + ": compressed section " + s.name() + " is shorter than its header");
    int type = raw.getInt(0);
    long size = raw.getLong(8);
    if (type == ELFCOMPRESS_ZSTD) {
      throw new ElfFormatException(
          elf.path()
              + ": section "
              + s.name()
              + " is zstd-compressed, which is not supported (only zlib)");
    }
    if (type != ELFCOMPRESS_ZLIB) {
      throw new ElfFormatException(
          elf.path() + ": section " + s.name() + " has unknown compression type " + type);
    }
    return inflate(elf, s.name(), raw.slice(24, raw.limit() - 24), size);
  }

  static ByteBuffer legacyZdebug(ElfFile elf, Section s, ByteBuffer raw) {
    if (raw.limit() < 12
        || raw.get(0) != 'Z'
        || raw.get(1) != 'L'
        || raw.get(2) != 'I'
        || raw.get(3) != 'B') {
      throw new ElfFormatException(
          elf.path() + ": section " + s.name() + " lacks the \"ZLIB\" header");
    }
    long size = raw.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(4);
    return inflate(elf, s.name(), raw.slice(12, raw.limit() - 12), size);
  }

  private static ByteBuffer inflate(ElfFile elf, String name, ByteBuffer in, long declared) {
    String where = elf.path() + ": section " + name;
    if (declared < 0
        || declared > Integer.MAX_VALUE - 16
        || declared > (in.limit() + 64L) * MAX_RATIO) {
      throw new ElfFormatException(
          where
              + " declares an impossible uncompressed size "
              + declared
              + " for "
              + in.limit()
              + " compressed bytes");
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(in);
      ByteBuffer out =
          ByteBuffer.allocateDirect((int) Math.min(declared, Math.max(1 << 16, in.limit() * 4L)));
      while (!inflater.finished()) {
        if (!out.hasRemaining()) {
          if (out.capacity() >= declared) {
            throw new ElfFormatException(
                where + " inflates to more than its declared size " + declared);
          }
          ByteBuffer bigger =
              ByteBuffer.allocateDirect((int) Math.min(declared, out.capacity() * 2L));
          out.flip();
          bigger.put(out);
          out = bigger;
        }
        int n = inflater.inflate(out);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new ElfFormatException(
              where
                  + " is truncated: zlib stream ended after "
                  + out.position()
                  + " of "
                  + declared
                  + " bytes");
        }
      }
      if (out.position() != declared) {
        throw new ElfFormatException(
            where + " inflated to " + out.position() + " bytes, but declares " + declared);
      }
      out.flip();
      return out.order(ByteOrder.LITTLE_ENDIAN);
    } catch (DataFormatException e) {
      throw new ElfFormatException(where + " has corrupt zlib data: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
  }
}
