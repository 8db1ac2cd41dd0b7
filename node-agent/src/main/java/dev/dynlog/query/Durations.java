package dev.dynlog.query;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations written like Go's {@code time.ParseDuration}: one or more number+unit terms,
 * e.g. {@code 250us}, {@code 10ms}, {@code 1.5s}, {@code 1h30m}; units ns, us (or µs), ms, s, m, h,
 * d.
 */
public final class Durations {

  private static final Pattern TERM = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)");
  private static final Pattern WHOLE =
      Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s|m|h|d))+");

  /** Longest accepted duration text, in characters (regular expressions only see this much). */
  public static final int MAX_LENGTH = 64;

  private Durations() {}

  /**
   * The duration in nanoseconds.
   *
   * @param what names the parameter in the error message
   * @throws BadQueryException when {@code text} is not a duration
   */
  public static long parseNanos(String text, String what) {
    if (text.length() > MAX_LENGTH) {
      throw new BadQueryException(
          what
              + ": "
              + Excerpt.of(text)
              + " is too long for a duration (at most "
              + MAX_LENGTH
              + " characters); write e.g. 100us, 10ms, 1.5s, 5m, 1h30m");
    }
    String s = text.trim();
    if (!WHOLE.matcher(s).matches()) {
      throw new BadQueryException(
          what
              + ": "
              + Excerpt.of(text)
              + " is not a duration; write e.g. 100us, 10ms, 1.5s, 5m, 1h30m");
    }
    BigDecimal total = BigDecimal.ZERO;
    Matcher m = TERM.matcher(s);
    while (m.find()) {
      total =
          total.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
    }
    try {
      return total.setScale(0, RoundingMode.HALF_UP).longValueExact();
    } catch (ArithmeticException e) {
      throw new BadQueryException(what + ": " + Excerpt.of(text) + " is too long a duration");
    }
  }

  private static long unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "µs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "h" -> 3_600_000_000_000L;
      case "d" -> 86_400_000_000_000L;
      default -> throw new IllegalStateException(unit);
    };
  }
}
