package dev.dynlog.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.agent.RedactionGuard;
import dev.dynlog.api.redact.Redaction;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.trace.ProbeCounters;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The query API refuses a where on a redacted capture or field with a 400 naming the rule. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedactedWhereTest {

  private static final String EVENTS = "/api/v1/tracepoints/login/events";

  @Test
  void aWhereOnARedactedValueIs400() throws Exception {
    List<Capture> captures =
        List.of(Capture.parse("p=password"), Capture.parse("c=*c"), Capture.parse("n=n"));
    TracepointRegistry registry = new TracepointRegistry(StoreConfig.DEFAULT);
    registry.register(
        new TracepointInfo(
            "login",
            "login",
            "pid 1",
            List.of("p", "c", "n"),
            false,
            List.of(),
            RedactionGuard.of(Redaction.defaults(), captures)),
        () -> ProbeCounters.none(new long[0]));
    try (DynlogMetrics metrics = new DynlogMetrics(registry);
        AgentHttpServer server =
            AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, metrics)) {
      URI base = server.baseUri();
      assertError(
          base,
          EVENTS + "?where=p%3Dhunter2",
          "where 'p=hunter2' is refused: capture `p` is redacted: `password` matches the"
              + " redaction list (password); a filter on a redacted value would reveal it");
      assertError(
          base,
          EVENTS + "?follow=true&format=jsonl&where=c.token%3Dabc",
          "where 'c.token=abc' is refused: `c.token` is redacted: field `token` matches the"
              + " redaction list (token); a filter on a redacted value would reveal it");
      assertEquals(200, Http.get(base, EVENTS + "?where=c.user%3Dalice").statusCode());
      assertEquals(200, Http.get(base, EVENTS + "?where=n%3E1").statusCode());
    }
  }

  private static void assertError(URI base, String path, String message) throws Exception {
    HttpResponse<String> r = Http.get(base, path);
    assertEquals(400, r.statusCode(), path + " → " + r.body());
    assertEquals(message, new ObjectMapper().readTree(r.body()).get("error").asText());
  }
}
