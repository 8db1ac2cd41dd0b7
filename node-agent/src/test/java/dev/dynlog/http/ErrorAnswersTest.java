package dev.dynlog.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.query.Dataset;
import dev.dynlog.store.TracepointRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Answers to requests that are wrong at the HTTP level, sent byte for byte: every one is {@code
 * {"error": ...}} on one line, including those the HTTP server itself refuses before routing; a
 * tracepoint name with an encoded {@code /} (a Go package path) reaches the lookup.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ErrorAnswersTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAME = "dynlog.dev/targets/shop.(*Service).Login";
  private static final String KNOWN =
      "known parameters: follow, format, limit, min_latency, order, pid, since, until, where";

  private TracepointRegistry registry;
  private DynlogMetrics metrics;
  private AgentHttpServer server;

  @BeforeEach
  void start() throws Exception {
    registry = Dataset.registry(NAME);
    metrics = new DynlogMetrics(registry);
    server = AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, metrics);
  }

  @AfterEach
  void stop() {
    server.close();
    metrics.close();
  }

  private RawClient.Answer send(String request) throws Exception {
    try (RawClient c = RawClient.connect("127.0.0.1", server.port())) {
      c.send(request);
      return c.read(Duration.ofSeconds(10));
    }
  }

  private void assertError(int status, String message, String request) throws Exception {
    RawClient.Answer a = send(request);
    assertEquals(status, a.status(), a.body());
    assertEquals("application/json", a.header("Content-Type"));
    JsonNode body = JSON.readTree(a.body());
    assertEquals(message, body.get("error").asText());
    assertEquals(1, a.body().lines().count(), a.body());
  }

  private static String get(String target) {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  }

  @Test
  void echoedControlCharactersAreEscaped() throws Exception {
    String events = "/api/v1/tracepoints/dynlog.dev%2Ftargets%2Fshop.%28%2AService%29.Login/events";
    assertError(
        400, "unknown query parameter 'colour\\n'; " + KNOWN, get(events + "?colour%0A=red"));
    assertError(
        400,
        "unknown query parameter 'x\\u001b[31m\\u0007'; " + KNOWN,
        get(events + "?x%1B%5B31m%07=1"));
  }

  @Test
  void anEncodedSlashInANameReachesTheLookup() throws Exception {
    RawClient.Answer a =
        send(get("/api/v1/tracepoints/dynlog.dev%2Ftargets%2Fshop.%28%2AService%29.Login"));
    assertEquals(200, a.status(), a.body());
    assertEquals(NAME, JSON.readTree(a.body()).get("name").asText());
    assertError(
        404, "no tracepoint 'a/b'; tracepoints: " + NAME, get("/api/v1/tracepoints/a%2Fb/events"));
  }

  @Test
  void refusedBeforeRoutingStillAnswersInJson() throws Exception {
    String tooLong =
        "the request line and headers take more than "
            + AgentHttpServer.MAX_REQUEST_HEAD_BYTES
            + " bytes; shorten the query";
    assertError(
        414, tooLong, get("/metrics?" + "a".repeat(AgentHttpServer.MAX_REQUEST_HEAD_BYTES)));
    assertError(
        431,
        tooLong,
        "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
            + "a".repeat(AgentHttpServer.MAX_REQUEST_HEAD_BYTES)
            + "\r\n\r\n");
    assertError(400, "bad request: Illegal character CNTL=0x1", get("/metrics?\u0001"));
    assertError(400, "bad request: No Host", "GET /metrics HTTP/1.1\r\n\r\n");
    assertError(
        400,
        "bad request: the request line or a header is malformed (e.g. a bad percent-encoding in the"
            + " path)",
        get("/api/v1/tracepoints/%zz"));
    assertError(405, "only GET is supported", "DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    assertError(
        404,
        "no such endpoint '/nothing'; endpoints: /metrics, /healthz, /api/v1/tracepoints,"
            + " /api/v1/tracepoints/{name}, /api/v1/tracepoints/{name}/events,"
            + " /api/v1/namespaces/{namespace}/tracepoints,"
            + " /api/v1/namespaces/{namespace}/tracepoints/{name},"
            + " /api/v1/namespaces/{namespace}/tracepoints/{name}/events",
        get("/nothing"));
  }
}
