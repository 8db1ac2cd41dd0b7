package dev.dynlog.api.v1alpha1;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Tracepoint's time to live: a Go-style duration text ({@code 90s}, {@code 1h30m}, {@code
 * 500ms}) between {@link #MIN} and {@link #MAX}, at most {@link #MAX_LENGTH} characters.
 *
 * <p>The CRD checks it with {@link #PATTERN} (syntax), {@link #MAX_LENGTH} and the CEL rule {@link
 * #RULE} (bounds, message {@link #RULE_MESSAGE}); {@link #parse} applies exactly the same checks
 * for the operator and {@code dynlog run -f}. CEL's {@code duration()} fails with a type conversion
 * error instead of a bounds message on a text too large for a duration ({@code 99999999999h}), so
 * the rule first requires {@link #IN_RANGE_DIGITS}: no number with more digits than {@link #MAX}
 * has in that unit. Such a number is out of bounds anyway, and what passes cannot overflow.
 */
public final class Ttl {

  /** Accepted syntax: one or more (integer, unit) pairs, units ms, s, m, h. */
  public static final String PATTERN = "^([0-9]+(ms|s|m|h))+$";

  /** Longest accepted text (the CRD's maxLength; it also bounds the cost of the CEL rule). */
  public static final int MAX_LENGTH = 32;

  public static final String MIN_TEXT = "5s";
  public static final String MAX_TEXT = "24h";
  public static final Duration MIN = Duration.ofSeconds(5);
  public static final Duration MAX = Duration.ofHours(24);

  /**
   * A text of {@link #PATTERN} whose numbers have, leading zeros aside, at most as many digits as
   * {@link #MAX} has in their unit (24h = 86400000ms = 86400s = 1440m): a text that does not match
   * is longer than {@link #MAX}. {@code TtlTest} checks the digit counts against {@link #MAX}.
   */
  public static final String IN_RANGE_DIGITS =
      "^(0*[0-9]{1,8}ms|0*[0-9]{1,5}s|0*[0-9]{1,4}m|0*[0-9]{1,2}h)+$";

  /**
   * The CRD's CEL rule: true for text that {@link #PATTERN} rejects (the pattern reports it), else
   * the bounds; {@code duration()} is reached only by text that cannot overflow it.
   */
  public static final String RULE =
      "!self.matches('"
          + PATTERN
          + "') || (self.matches('"
          + IN_RANGE_DIGITS
          + "') && duration(self) >= duration('"
          + MIN_TEXT
          + "') && duration(self) <= duration('"
          + MAX_TEXT
          + "'))";

  /** What the API server says when {@link #RULE} fails. */
  public static final String RULE_MESSAGE = "ttl must be between " + MIN_TEXT + " and " + MAX_TEXT;

  /** Used when the spec has no ttl (the CRD schema also defaults it). */
  public static final Duration DEFAULT = Duration.ofHours(1);

  private static final Pattern SYNTAX = Pattern.compile(PATTERN);
  private static final Pattern DIGITS = Pattern.compile(IN_RANGE_DIGITS);
  private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

  private Ttl() {}

  /**
   * Parses a ttl text; {@code null} gives {@link #DEFAULT}.
   *
   * @throws IllegalArgumentException when the text is malformed, too long or outside the bounds
   */
  public static Duration parse(String text) {
    if (text == null) {
      return DEFAULT;
    }
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "ttl '" + text + "' is longer than " + MAX_LENGTH + " characters");
    }
    if (!SYNTAX.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "ttl '" + text + "' is not a duration such as '90s', '30m' or '1h30m'");
    }
    if (!DIGITS.matcher(text).matches()) {
      throw outOfBounds(text);
    }
    // Each number has at most 8 significant digits and the text at most MAX_LENGTH characters:
    // no overflow is possible.
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
              });
    }
    if (total.compareTo(MIN) < 0 || total.compareTo(MAX) > 0) {
      throw outOfBounds(text);
    }
    return total;
  }

  private static IllegalArgumentException outOfBounds(String text) {
    return new IllegalArgumentException(
        "ttl '" + text + "' must be between " + MIN_TEXT + " and " + MAX_TEXT);
  }
}
