package dev.dynlog.elf;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped ELF64 little-endian file: headers, sections (decompressed on demand), segments,
 * symbols, build-id and debug link. Every offset and count read from the file is checked against
 * the file size before use, so a corrupted file yields an {@link ElfFormatException}.
 */
public final class ElfFile implements Closeable {

  /** e_machine of x86-64. */
  public static final int EM_X86_64 = 62;

  private static final int SHN_XINDEX = 0xffff;

  private final Path path;
  private final ByteBuffer file;
  private final int type;
  private final List<Section> sections;
  private final Map<String, Section> sectionsByName = new HashMap<>();
  private final List<Segment> segments;
  private final Map<String, ByteBuffer> decompressed = new HashMap<>();
  private SymbolTable symbols;

  private ElfFile(Path path, ByteBuffer file) {
    this.path = path;
    this.file = file;
    if (file.capacity() < 64)
      throw bad("file is " + file.capacity() + " bytes, shorter than an ELF header");
    if (file.getInt(0) != 0x464c457f) throw bad("not an ELF file (no \\x7fELF magic)");
    if (file.get(4) != 2) throw bad("not a 64-bit ELF (EI_CLASS=" + file.get(4) + ")");
    if (file.get(5) != 1) throw bad("not a little-endian ELF (EI_DATA=" + file.get(5) + ")");
    type = Short.toUnsignedInt(file.getShort(16));
    int machine = Short.toUnsignedInt(file.getShort(18));
    if (machine != EM_X86_64) throw bad("not an x86-64 ELF (e_machine=" + machine + ")");
    segments = readSegments();
    sections = readSections();
    for (Section s : sections) sectionsByName.putIfAbsent(s.name(), s);
  }

  /** Maps and parses the headers of an ELF file. */
  public static ElfFile open(Path path) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        throw new ElfFormatException(
            path + ": files larger than 2 GiB are not supported (" + size + " bytes)");
      }
      ByteBuffer buf =
          ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
      return new ElfFile(path, buf);
    }
  }

  /** Parses an ELF image held in memory (tests, fuzzing). */
  public static ElfFile of(Path nameForMessages, ByteBuffer image) {
    return new ElfFile(nameForMessages, image.duplicate().order(ByteOrder.LITTLE_ENDIAN));
  }

  public Path path() {
    return path;
  }

  public int type() {
    return type;
  }

  public List<Section> sections() {
    return Collections.unmodifiableList(sections);
  }

  public List<Segment> segments() {
    return Collections.unmodifiableList(segments);
  }

  /** The first section with this name, or null. */
  public Section section(String name) {
    return sectionsByName.get(name);
  }

  private ElfFormatException bad(String msg) {
    return new ElfFormatException(path + ": " + msg);
  }

  private void checkRange(String what, long off, long len) {
    if (off < 0 || len < 0 || off > file.capacity() || len > file.capacity() - off) {
      throw bad(
          what
              + " [offset 0x"
              + Long.toHexString(off)
              + ", size 0x"
              + Long.toHexString(len)
              + "] lies outside the file (size 0x"
              + Integer.toHexString(file.capacity())
              + "); truncated or corrupted");
    }
  }

  private List<Segment> readSegments() {
    long phoff = file.getLong(32);
    int phentsize = Short.toUnsignedInt(file.getShort(54));
    int phnum = Short.toUnsignedInt(file.getShort(56));
    if (phnum == 0) return List.of();
    if (phentsize != 56)
      throw bad("unexpected program header entry size " + phentsize + " (expected 56)");
    checkRange("program header table", phoff, (long) phnum * phentsize);
    List<Segment> out = new ArrayList<>(phnum);
    for (int i = 0; i < phnum; i++) {
      int p = (int) (phoff + (long) i * phentsize);
      out.add(
          new Segment(
              file.getInt(p),
              file.getInt(p + 4),
              file.getLong(p + 8),
              file.getLong(p + 16),
              file.getLong(p + 24),
              file.getLong(p + 32),
              file.getLong(p + 40),
              file.getLong(p + 48)));
    }
    return out;
  }

  private List<Section> readSections() {
    long shoff = file.getLong(40);
    int shentsize = Short.toUnsignedInt(file.getShort(58));
    long shnum = Short.toUnsignedInt(file.getShort(60));
    int shstrndx = Short.toUnsignedInt(file.getShort(62));
    if (shoff == 0) return List.of();
    if (shentsize != 64)
      throw bad("unexpected section header entry size " + shentsize + " (expected 64)");
    checkRange("section header 0", shoff, 64);
    if (shnum == 0)
      shnum = file.getLong((int) shoff + 32); // extended numbering: count in sh_size of entry 0
    if (shstrndx == SHN_XINDEX) shstrndx = file.getInt((int) shoff + 40);
    if (shnum < 0 || shnum > file.capacity() / 64) throw bad("absurd section count " + shnum);
    checkRange("section header table", shoff, shnum * 64);
    int n = (int) shnum;
    long[][] raw = new long[n][];
    for (int i = 0; i < n; i++) {
      int p = (int) (shoff + (long) i * 64);
      raw[i] =
          new long[] {
            Integer.toUnsignedLong(file.getInt(p)),
            Integer.toUnsignedLong(file.getInt(p + 4)),
            file.getLong(p + 8),
            file.getLong(p + 16),
            file.getLong(p + 24),
            file.getLong(p + 32),
            Integer.toUnsignedLong(file.getInt(p + 40)),
            Integer.toUnsignedLong(file.getInt(p + 44)),
            file.getLong(p + 48),
            file.getLong(p + 56)
          };
    }
    long strOff = 0;
    long strSize = 0;
    if (shstrndx != 0) {
      if (shstrndx >= n)
        throw bad("section name table index " + shstrndx + " out of range (" + n + " sections)");
      strOff = raw[shstrndx][4];
      strSize = raw[shstrndx][5];
      checkRange("section name table", strOff, strSize);
    }
    List<Section> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long[] r = raw[i];
      String name = strSize == 0 ? "" : cString(strOff, strSize, r[0], "section name");
      out.add(
          new Section(
              i, name, (int) r[1], r[2], r[3], r[4], r[5], (int) r[6], (int) r[7], r[8], r[9]));
    }
    return out;
  }

  /**
   * Reads a NUL-terminated string at {@code index} of a string table at [tabOff, tabOff+tabSize).
   */
  String cString(long tabOff, long tabSize, long index, String what) {
    if (index < 0 || index >= tabSize)
      throw bad(what + " index " + index + " outside its string table (size " + tabSize + ")");
    int start = (int) (tabOff + index);
    int end = (int) (tabOff + tabSize);
    int p = start;
    while (p < end && file.get(p) != 0) p++;
    if (p == end) throw bad(what + " at string table index " + index + " is not NUL-terminated");
    byte[] b = new byte[p - start];
    file.get(start, b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** The raw (possibly compressed) file bytes of a section, as a little-endian slice. */
  public ByteBuffer rawData(Section s) {
    if (!s.hasFileData()) return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    checkRange("section " + s.name(), s.offset(), s.size());
    return file.slice((int) s.offset(), (int) s.size()).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The contents of a section, decompressed when it is {@code SHF_COMPRESSED} or a legacy {@code
   * .zdebug_*} section. Lookups by the {@code .debug_*} name also find {@code .zdebug_*}. Returns
   * null when the file has no such section.
   */
  public synchronized ByteBuffer sectionData(String name) {
    ByteBuffer cached = decompressed.get(name);
    if (cached != null) return cached.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    Section s = section(name);
    ByteBuffer data;
    if (s != null && s.hasFileData()) {
      data = s.compressed() ? SectionDecompressor.elfCompressed(this, s, rawData(s)) : rawData(s);
    } else if (name.startsWith(".debug_") && section(".z" + name.substring(1)) != null) {
      Section z = section(".z" + name.substring(1));
      data = SectionDecompressor.legacyZdebug(this, z, rawData(z));
    } else {
      return null;
    }
    decompressed.put(name, data);
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Converts a virtual address to its file offset through the PT_LOAD segments. */
  public long fileOffset(long vaddr) {
    for (Segment seg : segments) {
      if (seg.containsInFile(vaddr)) return vaddr - seg.vaddr() + seg.offset();
    }
    throw bad(
        "address 0x" + Long.toHexString(vaddr) + " is not in any PT_LOAD segment's file contents");
  }

  /** Reads bytes of the loaded image at a virtual address (must be file-backed). */
  public byte[] read(long vaddr, int len) {
    if (len < 0) throw bad("negative read length " + len);
    long off = fileOffset(vaddr);
    if (len > 0) {
      long last = fileOffset(vaddr + len - 1);
      if (last - off != len - 1)
        throw bad(
            "read of " + len + " bytes at 0x" + Long.toHexString(vaddr) + " crosses a segment");
    }
    checkRange("read at 0x" + Long.toHexString(vaddr), off, len);
    byte[] b = new byte[len];
    file.get((int) off, b);
    return b;
  }

  /** The symbols of {@code .symtab} and {@code .dynsym}, read on first use. */
  public synchronized SymbolTable symbols() {
    if (symbols == null) symbols = SymbolTable.read(this);
    return symbols;
  }

  /**
   * GNU build-id from the {@code .note.gnu.build-id} note (or any NT_GNU_BUILD_ID note), or null.
   */
  public String buildId() {
    for (Section s : sections) {
      if (s.type() != Section.SHT_NOTE) continue;
      String id = Notes.buildId(rawData(s));
      if (id != null) return id;
    }
    return null;
  }

  /** The {@code .gnu_debuglink} contents, or null. */
  public DebugLink debugLink() {
    Section s = section(".gnu_debuglink");
    if (s == null || !s.hasFileData()) return null;
    ByteBuffer b = rawData(s);
    int n = 0;
    while (n < b.limit() && b.get(n) != 0) n++;
    if (n == b.limit() || n == 0) throw bad(".gnu_debuglink has no NUL-terminated file name");
    byte[] nameBytes = new byte[n];
    b.get(0, nameBytes);
    int crcPos = (n + 4) & ~3;
    if (crcPos + 4 > b.limit()) throw bad(".gnu_debuglink is truncated before its CRC");
    return new DebugLink(new String(nameBytes, StandardCharsets.UTF_8), b.getInt(crcPos));
  }

  /** True when the file carries its own DWARF ({@code .debug_info} with contents). */
  public boolean hasDwarf() {
    Section s = section(".debug_info");
    if (s == null) s = section(".zdebug_info");
    return s != null && s.hasFileData() && s.size() > 0;
  }

  /** The whole mapped file (read-only), for CRC checks. */
  ByteBuffer bytes() {
    return file.duplicate();
  }

  @Override
  public void close() {
    decompressed.clear();
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
