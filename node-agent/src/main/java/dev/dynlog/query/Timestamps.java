package dev.dynlog.query;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Parses the {@code since}/{@code until} bounds: an RFC 3339 time, or a duration meaning "that long
 * ago".
 */
public final class Timestamps {

  private Timestamps() {}

  /**
   * Nanoseconds since the Unix epoch.
   *
   * @param what names the parameter in the error message
   */
  public static long parseEpochNanos(String text, Instant now, String what) {
    if (text.length() > Durations.MAX_LENGTH) {
      throw new BadQueryException(
          what
              + ": "
              + Excerpt.of(text)
              + " is too long for a time (at most "
              + Durations.MAX_LENGTH
              + " characters); write e.g. 2026-01-02T15:04:05Z or 5m");
    }
    String s = text.trim();
    if (!s.isEmpty() && Character.isDigit(s.charAt(0)) && s.length() > 4 && s.charAt(4) == '-') {
      try {
        return clampedNanos(OffsetDateTime.parse(s).toInstant());
      } catch (DateTimeParseException e) {
        throw new BadQueryException(
            what
                + ": "
                + Excerpt.of(text)
                + " is not an RFC 3339 time (e.g. 2026-01-02T15:04:05.123456789Z)");
      }
    }
    try {
      return toNanos(now) - Durations.parseNanos(s, what);
    } catch (BadQueryException e) {
      throw new BadQueryException(
          what
              + ": "
              + Excerpt.of(text)
              + " is neither an RFC 3339 time (e.g. 2026-01-02T15:04:05Z)"
              + " nor a duration ago (e.g. 5m, 1h30m)");
    }
  }

  /**
   * Nanoseconds since the Unix epoch, or {@link Long#MAX_VALUE} / {@link Long#MIN_VALUE} for a time
   * after 2262 / before 1677 (no row is that late or early: such a bound keeps or excludes every
   * row).
   */
  private static long clampedNanos(Instant instant) {
    try {
      return toNanos(instant);
    } catch (ArithmeticException outOfRange) {
      return instant.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** Nanoseconds since the Unix epoch of {@code instant}. */
  public static long toNanos(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
  }
}
