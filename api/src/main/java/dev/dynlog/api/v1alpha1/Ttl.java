package dev.dynlog.api.v1alpha1;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Tracepoint's time to live: a Go-style duration text ({@code 90s}, {@code 1h30m}, {@code
 * 500ms}) between {@link #MIN} and {@link #MAX}.
 */
public final class Ttl {

  /** Accepted text: one or more (integer, unit) pairs, units ms, s, m, h. */
  public static final String PATTERN = "^([0-9]+(ms|s|m|h))+$";

  public static final String MIN_TEXT = "5s";
  public static final String MAX_TEXT = "24h";
  public static final Duration MIN = Duration.ofSeconds(5);
  public static final Duration MAX = Duration.ofHours(24);

  /** Used when the spec has no ttl (the CRD schema also defaults it). */
  public static final Duration DEFAULT = Duration.ofHours(1);

  private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

  private Ttl() {}

  /**
   * Parses a ttl text; {@code null} gives {@link #DEFAULT}.
   *
   * @throws IllegalArgumentException when the text is malformed or outside the bounds
   */
  public static Duration parse(String text) {
    if (text == null) {
      return DEFAULT;
    }
    if (!text.matches(PATTERN)) {
      throw new IllegalArgumentException(
          "ttl '" + text + "' is not a duration such as '90s', '30m' or '1h30m'");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      long n;
      try {
        n = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("ttl '" + text + "' is too long", e);
      }
      Duration part =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(Math.min(n, Long.MAX_VALUE / 60));
            default -> Duration.ofHours(Math.min(n, Long.MAX_VALUE / 3600));
          };
      total = part.compareTo(MAX) > 0 ? part : total.plus(part);
      if (total.compareTo(MAX) > 0) {
        throw outOfBounds(text);
      }
    }
    if (total.compareTo(MIN) < 0) {
      throw outOfBounds(text);
    }
    return total;
  }

  private static IllegalArgumentException outOfBounds(String text) {
    return new IllegalArgumentException(
        "ttl '" + text + "' must be between " + MIN_TEXT + " and " + MAX_TEXT);
  }
}
