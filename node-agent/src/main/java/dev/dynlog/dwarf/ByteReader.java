package dev.dynlog.dwarf;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked little-endian cursor over one DWARF section. Every read past {@link #limit()}
 * throws a {@link DwarfFormatException} naming the section and offset.
 */
final class ByteReader {
  private final ByteBuffer buf;
  private final String section;
  private int pos;
  private int limit;

  ByteReader(ByteBuffer buf, String section) {
    this.buf = buf;
    this.section = section;
    this.limit = buf.limit();
  }

  String section() {
    return section;
  }

  int pos() {
    return pos;
  }

  int limit() {
    return limit;
  }

  int size() {
    return buf.limit();
  }

  boolean hasRemaining() {
    return pos < limit;
  }

  ByteReader seek(long p) {
    if (p < 0 || p > buf.limit())
      throw error(
          "offset 0x"
              + Long.toHexString(p)
              + " is outside the section (size 0x"
              + Integer.toHexString(buf.limit())
              + ")");
    pos = (int) p;
    return this;
  }

  /**
   * Restricts reads to [pos, end); end is clamped to the section size with an error if beyond it.
   */
  void limit(long end) {
    if (end < 0 || end > buf.limit())
      throw error(
          "range end 0x"
              + Long.toHexString(end)
              + " is past the section end 0x"
              + Integer.toHexString(buf.limit()));
    limit = (int) end;
  }

  DwarfFormatException error(String msg) {
    return new DwarfFormatException(section + " at 0x" + Integer.toHexString(pos) + ": " + msg);
  }

  private void need(int n) {
    if (n < 0 || n > limit - pos)
      throw error("needs " + n + " bytes but only " + (limit - pos) + " remain (truncated?)");
  }

  void skip(long n) {
    if (n < 0 || n > limit - pos)
      throw error("cannot skip " + n + " bytes, only " + (limit - pos) + " remain");
    pos += (int) n;
  }

  int u8() {
    need(1);
    return buf.get(pos++) & 0xff;
  }

  int u16() {
    need(2);
    int v = Short.toUnsignedInt(buf.getShort(pos));
    pos += 2;
    return v;
  }

  int u24() {
    need(3);
    int v =
        (buf.get(pos) & 0xff) | (buf.get(pos + 1) & 0xff) << 8 | (buf.get(pos + 2) & 0xff) << 16;
    pos += 3;
    return v;
  }

  long u32() {
    need(4);
    long v = Integer.toUnsignedLong(buf.getInt(pos));
    pos += 4;
    return v;
  }

  long u64() {
    need(8);
    long v = buf.getLong(pos);
    pos += 8;
    return v;
  }

  /** An unsigned value of 1, 2, 4 or 8 bytes. */
  long unsigned(int size) {
    return switch (size) {
      case 1 -> u8();
      case 2 -> u16();
      case 4 -> u32();
      case 8 -> u64();
      default -> throw error("unsupported size " + size);
    };
  }

  long uleb() {
    long result = 0;
    int shift = 0;
    while (true) {
      if (pos >= limit) throw error("truncated LEB128");
      int b = buf.get(pos++) & 0xff;
      if (shift < 64) result |= (long) (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) == 0) return result;
    }
  }

  long sleb() {
    long result = 0;
    int shift = 0;
    int b;
    do {
      if (pos >= limit) throw error("truncated LEB128");
      b = buf.get(pos++) & 0xff;
      if (shift < 64) result |= (long) (b & 0x7f) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    if (shift < 64 && (b & 0x40) != 0) result |= -1L << shift;
    return result;
  }

  /** Skips an LEB128 without decoding it. */
  void skipLeb() {
    while (true) {
      if (pos >= limit) throw error("truncated LEB128");
      if ((buf.get(pos++) & 0x80) == 0) return;
    }
  }

  /** Reads a NUL-terminated UTF-8 string. */
  String cstring() {
    int start = pos;
    int p = pos;
    while (p < limit && buf.get(p) != 0) p++;
    if (p >= limit) throw error("string is not NUL-terminated before the end");
    pos = p + 1;
    return decode(start, p - start);
  }

  /** Skips a NUL-terminated string. */
  void skipCstring() {
    int p = pos;
    while (p < limit && buf.get(p) != 0) p++;
    if (p >= limit) throw error("string is not NUL-terminated before the end");
    pos = p + 1;
  }

  /** Reads the NUL-terminated string at an absolute offset without moving the cursor. */
  String cstringAt(long off) {
    if (off < 0 || off >= buf.limit())
      throw error(
          "string offset 0x"
              + Long.toHexString(off)
              + " is outside the section (size 0x"
              + Integer.toHexString(buf.limit())
              + ")");
    int p = (int) off;
    int end = buf.limit();
    while (p < end && buf.get(p) != 0) p++;
    if (p >= end) throw error("string at 0x" + Long.toHexString(off) + " is not NUL-terminated");
    return decode((int) off, p - (int) off);
  }

  private String decode(int start, int len) {
    byte[] b = new byte[len];
    buf.get(start, b);
    return new String(b, StandardCharsets.UTF_8);
  }

  byte[] bytes(long n) {
    if (n < 0 || n > limit - pos)
      throw error("block of " + n + " bytes but only " + (limit - pos) + " remain");
    byte[] b = new byte[(int) n];
    buf.get(pos, b);
    pos += (int) n;
    return b;
  }

  /** Reads a value of {@code size} bytes at an absolute offset without moving the cursor. */
  long unsignedAt(long off, int size) {
    int save = pos;
    int saveLimit = limit;
    try {
      limit = buf.limit();
      seek(off);
      return unsigned(size);
    } finally {
      pos = save;
      limit = saveLimit;
    }
  }
}
