package dev.dynlog.store;

import dev.dynlog.trace.Row;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test rows. */
public final class Rows {
  private Rows() {}

  /**
   * Row number {@code i} of tracepoint {@code tp}: capture {@code i} = i, {@code s} = a string of
   * {@code len} chars.
   */
  public static Row numbered(String tp, long i, int len) {
    Map<String, Object> captures = new LinkedHashMap<>();
    captures.put("i", i);
    captures.put("s", "x".repeat(len));
    return new Row(
        tp, 1_700_000_000_000_000_000L + i, 42, 43, -1, "main.F", 1000, captures, Map.of());
  }
}
