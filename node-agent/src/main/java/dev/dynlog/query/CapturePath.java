package dev.dynlog.query;

import dev.dynlog.trace.Row;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A captured value or a part of it: a capture name followed by struct fields / map keys / list
 * indexes, e.g. {@code l.Units} or {@code items.0.name}.
 *
 * @param segments the capture name, then each step into it
 */
public record CapturePath(List<String> segments) {

  /**
   * Returned by {@link #resolve} when the row has no such value: the capture could not be read (it
   * is named in {@link Row#errors()}), or the path does not exist in it.
   */
  public static final Object MISSING =
      new Object() {
        @Override
        public String toString() {
          return "<missing>";
        }
      };

  public CapturePath {
    segments = List.copyOf(segments);
  }

  /** Splits {@code a.b.c}; the caller has checked the syntax. */
  public static CapturePath parse(String text) {
    return new CapturePath(Arrays.asList(text.split("\\.")));
  }

  /** The capture's name (the first segment). */
  public String capture() {
    return segments.get(0);
  }

  /** The value at this path in {@code row}, or {@link #MISSING}. */
  public Object resolve(Row row) {
    Map<String, Object> captures = row.captures();
    if (captures == null || !captures.containsKey(capture())) return MISSING;
    if (row.errors() != null && row.errors().containsKey(capture())) return MISSING;
    Object v = captures.get(capture());
    for (int i = 1; i < segments.size(); i++) {
      String step = segments.get(i);
      if (v instanceof Map<?, ?> m && m.containsKey(step)) {
        v = m.get(step);
      } else if (v instanceof List<?> list
          && isIndex(step)
          && Integer.parseInt(step) < list.size()) {
        v = list.get(Integer.parseInt(step));
      } else {
        return MISSING;
      }
    }
    return v;
  }

  private static boolean isIndex(String s) {
    return s.length() <= 9 && s.chars().allMatch(Character::isDigit);
  }

  @Override
  public String toString() {
    return String.join(".", segments);
  }
}
