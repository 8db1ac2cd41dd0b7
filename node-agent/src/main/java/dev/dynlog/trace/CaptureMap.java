package dev.dynlog.trace;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A row's captures: an immutable map over the tracepoint's shared capture names and the row's own
 * value array, in plan order, allowing null values (nil pointers, nil errors). One allocation per
 * row instead of a hash map with an entry per capture.
 */
final class CaptureMap extends AbstractMap<String, Object> {
  private final String[] names;
  private final Object[] values;

  CaptureMap(String[] names, Object[] values) {
    this.names = names;
    this.values = values;
  }

  @Override
  public int size() {
    return names.length;
  }

  private int index(Object key) {
    for (int i = 0; i < names.length; i++) if (names[i].equals(key)) return i;
    return -1;
  }

  @Override
  public boolean containsKey(Object key) {
    return index(key) >= 0;
  }

  @Override
  public Object get(Object key) {
    int i = index(key);
    return i < 0 ? null : values[i];
  }

  /** Visits the captures in plan order without creating an entry per capture. */
  @Override
  public void forEach(BiConsumer<? super String, ? super Object> action) {
    for (int i = 0; i < names.length; i++) action.accept(names[i], values[i]);
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return names.length;
      }

      @Override
      public Iterator<Entry<String, Object>> iterator() {
        return new Iterator<>() {
          int next;

          @Override
          public boolean hasNext() {
            return next < names.length;
          }

          @Override
          public Entry<String, Object> next() {
            if (next >= names.length) throw new NoSuchElementException();
            int i = next++;
            return new SimpleImmutableEntry<>(names[i], values[i]);
          }
        };
      }
    };
  }
}
