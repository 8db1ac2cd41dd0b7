package dev.dynlog.query;

import dev.dynlog.trace.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A captured value or a part of it: a capture name followed by struct fields / map keys / list
 * indexes, e.g. {@code l.Units} or {@code items.0.name}. At most {@link #MAX_STEPS} steps and
 * {@link #MAX_LENGTH} characters: no captured value is nested deeper (the planner expands at most
 * 16 levels of structs), and a hostile path cannot make a query expensive.
 *
 * @param segments the capture name, then each step into it
 */
public record CapturePath(List<String> segments) {

  /** Most steps after the capture name. */
  public static final int MAX_STEPS = 32;

  /** Longest path text, in characters. */
  public static final int MAX_LENGTH = 256;

  /**
   * Returned by {@link #resolve} when the row has no such value: the capture could not be read (it
   * is null and named in {@link Row#errors()}), or the path does not exist in it.
   */
  public static final Object MISSING =
      new Object() {
        @Override
        public String toString() {
          return "<missing>";
        }
      };

  /**
   * The fields of a node agent's rows that a path may name besides captures: where the call ran
   * ({@link Row.Source}). A capture of the same name takes precedence.
   */
  public static final List<String> SOURCE_FIELDS = List.of("namespace", "pod", "container", "node");

  public CapturePath {
    segments = List.copyOf(segments);
    if (segments.isEmpty()) throw new BadQueryException("a path needs at least a capture name");
    if (segments.size() > MAX_STEPS + 1) {
      throw new BadQueryException(
          "path has "
              + (segments.size() - 1)
              + " steps after the capture name; at most "
              + MAX_STEPS);
    }
  }

  /**
   * Parses {@code a.b.c}: a capture name (an identifier), then steps of letters, digits and {@code
   * _}.
   *
   * @throws BadQueryException when the text is not such a path, or is too long or too deep
   */
  public static CapturePath parse(String text) {
    if (text.length() > MAX_LENGTH) {
      throw new BadQueryException(
          "path is "
              + text.length()
              + " characters long; at most "
              + MAX_LENGTH
              + ": "
              + Excerpt.prefix(text));
    }
    long steps = text.chars().filter(c -> c == '.').count();
    if (steps > MAX_STEPS) {
      throw new BadQueryException(
          "path "
              + Excerpt.of(text)
              + " has "
              + steps
              + " steps after the capture name; at most "
              + MAX_STEPS);
    }
    List<String> segments = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i < text.length() && text.charAt(i) != '.') {
        if (!isStepChar(text.charAt(i))) throw notAPath(text);
        continue;
      }
      if (i == start) throw notAPath(text);
      segments.add(text.substring(start, i));
      start = i + 1;
    }
    if (Character.isDigit(text.charAt(0))) throw notAPath(text);
    return new CapturePath(segments);
  }

  private static boolean isStepChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  }

  private static BadQueryException notAPath(String text) {
    return new BadQueryException(
        "path "
            + Excerpt.of(text)
            + " is not a capture name followed by .field or .index steps (e.g. l.Units, items.0)");
  }

  /** The capture's name (the first segment). */
  public String capture() {
    return segments.get(0);
  }

  /** The value at this path in {@code row}, or {@link #MISSING}. */
  public Object resolve(Row row) {
    Map<String, Object> captures = row.captures();
    if (captures == null || !captures.containsKey(capture())) return source(row);
    Object v = captures.get(capture());
    // a capture that could not be read is null with its error; a redacted one keeps its value
    // (a struct's other fields, or "[redacted]") beside the error naming the rule
    if (v == null && row.errors() != null && row.errors().containsKey(capture())) return MISSING;
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

  /** A {@link #SOURCE_FIELDS source field} of the row, or {@link #MISSING}. */
  private Object source(Row row) {
    Row.Source s = row.source();
    if (s == null || segments.size() != 1) return MISSING;
    String v =
        switch (capture()) {
          case "namespace" -> s.namespace();
          case "pod" -> s.pod();
          case "container" -> s.container();
          case "node" -> s.node();
          default -> null;
        };
    return v == null ? MISSING : v;
  }

  private static boolean isIndex(String s) {
    return s.length() <= 9 && s.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  @Override
  public String toString() {
    return String.join(".", segments);
  }
}
