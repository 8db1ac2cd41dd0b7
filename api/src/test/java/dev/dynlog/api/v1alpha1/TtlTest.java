package dev.dynlog.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

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
}
