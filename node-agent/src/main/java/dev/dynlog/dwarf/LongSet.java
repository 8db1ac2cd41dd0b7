package dev.dynlog.dwarf;

import java.util.Arrays;

/** An open-addressing set of non-negative longs (DIE offsets), without boxing. */
final class LongSet {
  private static final long EMPTY = -1;
  private long[] slots = filled(16);
  private int size;

  private static long[] filled(int n) {
    long[] a = new long[n];
    Arrays.fill(a, EMPTY);
    return a;
  }

  private static int hash(long v, int mask) {
    long h = v * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 32) & mask;
  }

  void add(long v) {
    if (v < 0) return;
    if ((size + 1) * 2 > slots.length) grow();
    int mask = slots.length - 1;
    int i = hash(v, mask);
    while (slots[i] != EMPTY) {
      if (slots[i] == v) return;
      i = (i + 1) & mask;
    }
    slots[i] = v;
    size++;
  }

  boolean contains(long v) {
    if (v < 0) return false;
    int mask = slots.length - 1;
    int i = hash(v, mask);
    while (slots[i] != EMPTY) {
      if (slots[i] == v) return true;
      i = (i + 1) & mask;
    }
    return false;
  }

  private void grow() {
    long[] old = slots;
    slots = filled(old.length * 2);
    size = 0;
    for (long v : old) if (v != EMPTY) add(v);
  }
}
