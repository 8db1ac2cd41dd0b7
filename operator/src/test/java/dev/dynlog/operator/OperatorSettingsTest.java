package dev.dynlog.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Settings read from the Deployment's environment, and their one-line errors. */
class OperatorSettingsTest {

  @Test
  void defaultsForADeployment() {
    OperatorSettings s =
        OperatorSettings.fromEnvironment(
            Map.of("POD_NAMESPACE", "dynlog-system", "POD_NAME", "dynlog-operator-7d9-x2"));
    assertEquals(Set.of(), s.namespaces(), "all namespaces");
    assertTrue(s.leaderElection());
    assertEquals("dynlog-system", s.leaseNamespace());
    assertEquals("dynlog-operator-7d9-x2", s.identity());
    assertEquals(8080, s.httpPort());
    assertTrue(s.exitOnLostLeadership());
    assertEquals(Duration.ofSeconds(30), s.startupTimeout());
  }

  @Test
  void startupTimeout() {
    assertEquals(
        Duration.ofSeconds(3),
        OperatorSettings.fromEnvironment(Map.of("DYNLOG_STARTUP_TIMEOUT", "3s")).startupTimeout());
    assertEquals(
        Duration.ofMinutes(2),
        OperatorSettings.fromEnvironment(Map.of("DYNLOG_STARTUP_TIMEOUT", "2m")).startupTimeout());
    assertEquals(
        Duration.ofMillis(500),
        OperatorSettings.fromEnvironment(Map.of("DYNLOG_STARTUP_TIMEOUT", " 500ms "))
            .startupTimeout());
    for (String bad : List.of("soon", "30", "-1s", "1h", "9999999999s")) {
      assertEquals(
          "DYNLOG_STARTUP_TIMEOUT must be a duration such as 30s or 2m, got '" + bad + "'",
          assertThrows(
                  IllegalArgumentException.class,
                  () -> OperatorSettings.fromEnvironment(Map.of("DYNLOG_STARTUP_TIMEOUT", bad)))
              .getMessage());
    }
  }

  @Test
  void explicitSettings() {
    OperatorSettings s =
        OperatorSettings.fromEnvironment(
            Map.of(
                "DYNLOG_NAMESPACES",
                " shop, pay ,,",
                "DYNLOG_LEADER_ELECTION",
                "false",
                "DYNLOG_LEASE_NAMESPACE",
                "ops",
                "HOSTNAME",
                "host-1",
                "DYNLOG_HTTP_PORT",
                "9090"));
    assertEquals(Set.of("shop", "pay"), s.namespaces());
    assertFalse(s.leaderElection());
    assertEquals("ops", s.leaseNamespace());
    assertEquals("host-1", s.identity());
    assertEquals(9090, s.httpPort());
    assertEquals(
        "DYNLOG_HTTP_PORT must be a port number (0 for any, -1 to disable), got 'http'",
        assertThrows(
                IllegalArgumentException.class,
                () -> OperatorSettings.fromEnvironment(Map.of("DYNLOG_HTTP_PORT", "http")))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> OperatorSettings.fromEnvironment(Map.of("DYNLOG_HTTP_PORT", "70000")));
  }
}
