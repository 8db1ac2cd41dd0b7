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
    String s = text.trim();
    if (!s.isEmpty() && Character.isDigit(s.charAt(0)) && s.length() > 4 && s.charAt(4) == '-') {
      try {
        return toNanos(OffsetDateTime.parse(s).toInstant());
      } catch (DateTimeParseException e) {
        throw new BadQueryException(
            what
                + ": '"
                + text
                + "' is not an RFC 3339 time (e.g. 2026-01-02T15:04:05.123456789Z)");
      }
    }
    try {
      return toNanos(now) - Durations.parseNanos(s, what);
    } catch (BadQueryException e) {
      throw new BadQueryException(
          what
              + ": '"
              + text
              + "' is neither an RFC 3339 time (e.g. 2026-01-02T15:04:05Z)"
              + " nor a duration ago (e.g. 5m, 1h30m)");
    }
  }

  /** Nanoseconds since the Unix epoch of {@code instant}. */
  public static long toNanos(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
  }
}
