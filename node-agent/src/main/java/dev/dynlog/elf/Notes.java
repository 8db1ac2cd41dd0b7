package dev.dynlog.elf;

import java.nio.ByteBuffer;

/** Reads ELF note sections. */
final class Notes {
  private static final int NT_GNU_BUILD_ID = 3;

  private Notes() {}

  /** Hex build-id of the first NT_GNU_BUILD_ID note with owner "GNU", or null. */
  static String buildId(ByteBuffer b) {
    int p = 0;
    int end = b.limit();
    while (p + 12 <= end) {
      long namesz = Integer.toUnsignedLong(b.getInt(p));
      long descsz = Integer.toUnsignedLong(b.getInt(p + 4));
      int type = b.getInt(p + 8);
      long nameStart = p + 12L;
      long descStart = nameStart + ((namesz + 3) & ~3L);
      long next = descStart + ((descsz + 3) & ~3L);
      if (descStart + descsz > end || next <= p) return null;
      if (type == NT_GNU_BUILD_ID
          && namesz == 4
          && b.get((int) nameStart) == 'G'
          && b.get((int) nameStart + 1) == 'N'
          && b.get((int) nameStart + 2) == 'U') {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < descsz; i++)
          sb.append(String.format("%02x", b.get((int) descStart + i) & 0xff));
        return sb.toString();
      }
      if (next > end) return null;
      p = (int) next;
    }
    return null;
  }
}
