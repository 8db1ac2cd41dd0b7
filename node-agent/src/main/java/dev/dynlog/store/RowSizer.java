package dev.dynlog.store;

import dev.dynlog.trace.Row;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Conservative estimate of the heap bytes one {@link Row} retains: 64-bit JVM without compressed
 * references, every string counted as UTF-16 and never shared, every box counted even when cached.
 * The real footprint is smaller (checked against the heap in {@code RowSizerTest}), so a buffer
 * bounded by these estimates stays under its configured bytes.
 */
public final class RowSizer {

  private static final int REF = 8;
  private static final int HEADER = 16;
  private static final int ROW = HEADER + 9 * REF;
  private static final int BOX = 24;
  private static final int MAP = 80;
  private static final int MAP_ENTRY = 80;
  private static final int LIST = 56;
  private static final int UNKNOWN = 64;
  private static final int MAX_DEPTH = 64;
  private static final int TOO_DEEP = 4096;

  private RowSizer() {}

  /** Estimated bytes retained by {@code row}. */
  public static long estimate(Row row) {
    return ROW
        + string(row.tracepoint())
        + string(row.function())
        + map(row.captures(), 0)
        + map(row.errors(), 0);
  }

  private static long string(String s) {
    return s == null ? 0 : align(HEADER + 16) + align(HEADER + 2L * s.length());
  }

  private static long map(Map<String, ?> map, int depth) {
    if (map == null) return 0;
    Sum sum = new Sum(MAP + 2L * REF * map.size(), depth + 1);
    map.forEach(sum); // a row's capture map visits its values without an entry object each
    return sum.bytes;
  }

  /** Adds up the entries of one map. */
  private static final class Sum implements BiConsumer<String, Object> {
    long bytes;
    final int depth;

    Sum(long bytes, int depth) {
      this.bytes = bytes;
      this.depth = depth;
    }

    @Override
    public void accept(String key, Object value) {
      bytes += MAP_ENTRY + string(key) + value(value, depth);
    }
  }

  @SuppressWarnings("unchecked")
  private static long value(Object v, int depth) {
    if (v == null) return 0;
    if (depth > MAX_DEPTH) return TOO_DEEP;
    if (v instanceof String s) return string(s);
    if (v instanceof Long || v instanceof Double || v instanceof Integer || v instanceof Boolean)
      return BOX;
    if (v instanceof BigInteger b) return 48 + align(HEADER + 4L * (b.bitLength() / 32 + 1));
    if (v instanceof Map<?, ?> m) return map((Map<String, ?>) m, depth);
    if (v instanceof List<?> list) {
      long bytes = LIST + 12L * list.size();
      for (Object o : list) bytes += value(o, depth + 1);
      return bytes;
    }
    return UNKNOWN;
  }

  private static long align(long n) {
    return (n + 7) & ~7L;
  }
}
