package dev.dynlog.trace;

import java.util.function.Predicate;

/**
 * Entries waiting for their return, by call sequence number: an open-addressing hash table of
 * primitive keys, so the reader's hot path boxes nothing and allocates no map nodes.
 */
final class PendingCalls<V> {
  private long[] keys = new long[1024];
  private Object[] values = new Object[1024];
  private int size;

  int size() {
    return size;
  }

  void put(long key, V value) {
    if (2 * (size + 1) > keys.length) grow();
    int i = slot(key, keys.length);
    while (values[i] != null && keys[i] != key) i = (i + 1) & (keys.length - 1);
    if (values[i] == null) size++;
    keys[i] = key;
    values[i] = value;
  }

  @SuppressWarnings("unchecked")
  V remove(long key) {
    int mask = keys.length - 1;
    int i = slot(key, keys.length);
    while (values[i] != null) {
      if (keys[i] == key) {
        V v = (V) values[i];
        deleteAt(i);
        return v;
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  /** Removes every entry whose value matches. */
  @SuppressWarnings("unchecked")
  void removeIf(Predicate<V> test) {
    int i = 0;
    while (i < keys.length) {
      if (values[i] != null && test.test((V) values[i])) {
        deleteAt(i); // shifts a later entry into i: look at i again
      } else {
        i++;
      }
    }
  }

  /** Backward-shift deletion keeps every probe chain unbroken without tombstones. */
  private void deleteAt(int hole) {
    int mask = keys.length - 1;
    values[hole] = null;
    size--;
    int i = (hole + 1) & mask;
    while (values[i] != null) {
      int home = slot(keys[i], keys.length);
      // move entry i into the hole when the hole lies cyclically between its home and i
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        keys[hole] = keys[i];
        values[hole] = values[i];
        values[i] = null;
        hole = i;
      }
      i = (i + 1) & mask;
    }
  }

  @SuppressWarnings("unchecked")
  private void grow() {
    long[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new Object[oldKeys.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++)
      if (oldValues[i] != null) put(oldKeys[i], (V) oldValues[i]);
  }

  private static int slot(long key, int length) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 40) & (length - 1);
  }
}
