package dev.dynlog.operator.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuerySettingsTest {

  @Test
  void defaultsAndValues() {
    QuerySettings defaults = QuerySettings.fromEnvironment(Map.of());
    assertEquals(8443, defaults.port());
    assertEquals(Duration.ofSeconds(5), defaults.agentTimeout());
    assertEquals("kube-system", defaults.authConfigMapNamespace());
    assertEquals("extension-apiserver-authentication", defaults.authConfigMapName());

    QuerySettings set =
        QuerySettings.fromEnvironment(
            Map.of(
                "DYNLOG_QUERY_PORT", "-1",
                "DYNLOG_QUERY_TLS_CERT", "/tls/tls.crt",
                "DYNLOG_QUERY_TLS_KEY", "/tls/tls.key",
                "DYNLOG_AGENT_TOKEN_FILE", "/token",
                "DYNLOG_AGENT_TIMEOUT", "750ms"));
    assertEquals(-1, set.port());
    assertEquals(Path.of("/tls/tls.crt"), set.tlsCert());
    assertEquals(Path.of("/tls/tls.key"), set.tlsKey());
    assertEquals(Path.of("/token"), set.agentTokenFile());
    assertEquals(Duration.ofMillis(750), set.agentTimeout());
  }

  @Test
  void mistakesNameTheVariable() {
    assertEquals(
        "DYNLOG_QUERY_PORT must be a port number (0 for any, -1 to disable), got 'https'",
        assertThrows(
                IllegalArgumentException.class,
                () -> QuerySettings.fromEnvironment(Map.of("DYNLOG_QUERY_PORT", "https")))
            .getMessage());
    assertEquals(
        "DYNLOG_AGENT_TIMEOUT must be a positive duration such as 5s or 500ms, got '0s'",
        assertThrows(
                IllegalArgumentException.class,
                () -> QuerySettings.fromEnvironment(Map.of("DYNLOG_AGENT_TIMEOUT", "0s")))
            .getMessage());
    assertEquals(
        "DYNLOG_QUERY_TLS_CERT and DYNLOG_QUERY_TLS_KEY go together: set both or neither",
        assertThrows(
                IllegalArgumentException.class,
                () -> QuerySettings.fromEnvironment(Map.of("DYNLOG_QUERY_TLS_CERT", "/c")))
            .getMessage());
  }
}
