package dev.dynlog.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The ttl text: syntax, length, bounds, and the CRD rule's digit guard derived from the bounds. */
class TtlTest {

  @Test
  void parsesCombinedUnits() {
    assertEquals(Duration.ofMinutes(90), Ttl.parse("1h30m"));
    assertEquals(Duration.ofSeconds(5), Ttl.parse("5s"));
    assertEquals(Duration.ofMillis(7500), Ttl.parse("7s500ms"));
    assertEquals(Duration.ofHours(24), Ttl.parse("24h"));
    assertEquals(Ttl.DEFAULT, Ttl.parse(null));
  }

  @Test
  void rejectsOutOfBoundsAndMalformed() {
    assertEquals(
        "ttl '4s' must be between 5s and 24h",
        assertThrows(IllegalArgumentException.class, () -> Ttl.parse("4s")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Ttl.parse("24h1ms"));
    assertThrows(IllegalArgumentException.class, () -> Ttl.parse("99999999999999999999h"));
    assertThrows(IllegalArgumentException.class, () -> Ttl.parse("9223372036854775807s"));
    assertThrows(IllegalArgumentException.class, () -> Ttl.parse("1d"));
    assertThrows(IllegalArgumentException.class, () -> Ttl.parse("-5m"));
    assertThrows(IllegalArgumentException.class, () -> Ttl.parse(""));
  }

  @Test
  void hugeNumbersAreOutOfBoundsNotOverflows() {
    assertEquals(
        "ttl '99999999999h' must be between 5s and 24h",
        assertThrows(IllegalArgumentException.class, () -> Ttl.parse("99999999999h")).getMessage());
    assertEquals(
        "ttl '999999999ms' must be between 5s and 24h",
        assertThrows(IllegalArgumentException.class, () -> Ttl.parse("999999999ms")).getMessage());
    assertEquals(
        "ttl '" + "0".repeat(31) + "1h' is longer than 32 characters",
        assertThrows(IllegalArgumentException.class, () -> Ttl.parse("0".repeat(31) + "1h"))
            .getMessage());
  }

  @Test
  void theMaximumWrittenInEveryUnitIsAccepted() {
    assertEquals(Ttl.MAX, Ttl.parse(Ttl.MAX_TEXT));
    assertEquals(Ttl.MIN, Ttl.parse(Ttl.MIN_TEXT));
    assertEquals(Ttl.MAX, Ttl.parse(Ttl.MAX.toMillis() + "ms"));
    assertEquals(Ttl.MAX, Ttl.parse(Ttl.MAX.toSeconds() + "s"));
    assertEquals(Ttl.MAX, Ttl.parse(Ttl.MAX.toMinutes() + "m"));
    assertEquals(Ttl.MAX, Ttl.parse(Ttl.MAX.toHours() + "h"));
    assertEquals(Ttl.MAX, Ttl.parse("0" + Ttl.MAX.toHours() + "h"), "leading zeros");
    assertEquals(
        Duration.ofHours(23).plusMinutes(59).plusSeconds(59).plusMillis(999),
        Ttl.parse("23h59m59s999ms"));
  }

  /**
   * The CRD rule's guard allows per unit exactly the digits of {@link Ttl#MAX} in that unit: one
   * digit more is always out of bounds, and nothing it lets through overflows CEL's duration.
   */
  @Test
  void digitGuardFollowsTheMaximum() {
    Matcher m =
        Pattern.compile("0\\*\\[0-9\\]\\{1,([0-9]+)\\}(ms|s|m|h)").matcher(Ttl.IN_RANGE_DIGITS);
    Map<String, Integer> digits = new HashMap<>();
    while (m.find()) {
      digits.put(m.group(2), Integer.parseInt(m.group(1)));
    }
    assertEquals(
        Map.of(
            "ms", String.valueOf(Ttl.MAX.toMillis()).length(),
            "s", String.valueOf(Ttl.MAX.toSeconds()).length(),
            "m", String.valueOf(Ttl.MAX.toMinutes()).length(),
            "h", String.valueOf(Ttl.MAX.toHours()).length()),
        digits);
    // The largest text the guard and the length let through stays far below the ~292 years
    // (2^63 ns) where Go's and CEL's durations overflow.
    String largest = "99999999ms".repeat(Ttl.MAX_LENGTH / 10);
    assertTrue(largest.matches(Ttl.IN_RANGE_DIGITS) && largest.length() <= Ttl.MAX_LENGTH);
    assertTrue(Duration.ofMillis(99_999_999L * (Ttl.MAX_LENGTH / 2)).toDays() < 365);
  }
}
