package dev.dynlog.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.store.Placement;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The query API of a server started with a {@link QueryAuthenticator} (as a node agent's is): no
 * token 401, a refused token 403, a token that cannot be reviewed 503, an allowed one the rows;
 * {@code /metrics} and {@code /healthz} open; no answer carries the token; and the verdict cache.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueryAuthenticationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String EVENTS = "/api/v1/namespaces/shop/tracepoints/login/events";

  private final List<String> reviewed = new ArrayList<>();
  private TracepointRegistry registry;
  private DynlogMetrics metrics;
  private AgentHttpServer server;
  private URI base;

  /** Allows "good", cannot review "flaky", refuses everything else. */
  private QueryAuthenticator.Verdict review(String token) {
    synchronized (reviewed) {
      reviewed.add(token);
    }
    return switch (token) {
      case "good" -> QueryAuthenticator.Verdict.allowed();
      case "flaky" -> QueryAuthenticator.Verdict.unavailable("cannot review the bearer token now");
      default -> QueryAuthenticator.Verdict.denied("user 'system:serviceaccount:a:b' may not");
    };
  }

  @BeforeEach
  void start() throws Exception {
    registry = new TracepointRegistry(StoreConfig.DEFAULT);
    StoredTracepoint login =
        registry.register(
            new TracepointInfo(
                "shop/login", "main.Login", "node node-a", List.of("user"), false, List.of()),
            new Placement("shop", "login", "node-a"),
            () -> List.of());
    for (int i = 0; i < 3; i++) login.append(NamespacedApiTest.row("shop/login", i, "web-1", "a"));
    metrics = new DynlogMetrics(registry);
    server =
        AgentHttpServer.start(
            new InetSocketAddress("127.0.0.1", 0), registry, metrics, this::review);
    base = server.baseUri();
  }

  @AfterEach
  void stop() {
    server.close();
    metrics.close();
  }

  private HttpResponse<String> get(String path, String authorization) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET();
    if (authorization != null) b.header("Authorization", authorization);
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String error(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body()).get("error").asText();
  }

  @Test
  void anAllowedTokenGetsTheRows() throws Exception {
    HttpResponse<String> r = get(EVENTS + "?format=json", "Bearer good");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(3, JSON.readTree(r.body()).get("count").asInt(), r.body());
    assertEquals(200, get("/api/v1/namespaces/shop/tracepoints", "bearer good").statusCode());
  }

  @Test
  void noTokenIs401WithOneLineSayingWhatToUse() throws Exception {
    for (String authorization : new String[] {null, "Basic dXNlcjpwYXNz", "Bearer ", "Bearer"}) {
      HttpResponse<String> r = get(EVENTS, authorization);
      assertEquals(401, r.statusCode(), authorization + ": " + r.body());
      assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(""));
      assertEquals(1, r.body().strip().lines().count(), r.body());
      assertTrue(error(r).contains("aggregated query API"), r.body());
      assertFalse(r.body().contains("dXNlcjpwYXNz"), r.body());
    }
    assertTrue(reviewed.isEmpty(), "nothing to review: " + reviewed);
  }

  @Test
  void aRefusedTokenIs403WithoutEchoingIt() throws Exception {
    String secret = "eyJhbGciOiJSUzI1NiJ9.secret-part";
    HttpResponse<String> r = get(EVENTS, "Bearer " + secret);
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("user 'system:serviceaccount:a:b' may not", error(r));
    assertFalse(r.body().contains("secret-part"), r.body());
    // Unknown paths are guarded too: what exists is not told to a stranger.
    assertEquals(403, get("/api/v1/tracepoints", "Bearer " + secret).statusCode());
    assertEquals(403, get("/nothing-here", "Bearer " + secret).statusCode());
  }

  @Test
  void aTokenThatCannotBeReviewedIs503() throws Exception {
    HttpResponse<String> r = get(EVENTS, "Bearer flaky");
    assertEquals(503, r.statusCode(), r.body());
    assertEquals("cannot review the bearer token now", error(r));
  }

  @Test
  void metricsAndHealthzNeedNoToken() throws Exception {
    HttpResponse<String> m = get("/metrics", null);
    assertEquals(200, m.statusCode());
    assertTrue(m.body().contains("dynlog_"), m.body());
    assertEquals(200, get("/healthz", null).statusCode());
    assertTrue(reviewed.isEmpty(), "nothing to review: " + reviewed);
  }

  @Test
  void followNeedsTheTokenToo() throws Exception {
    assertEquals(401, get(EVENTS + "?follow=true", null).statusCode());
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(base + EVENTS + "?follow=true&limit=2"))
            .header("Authorization", "Bearer good")
            .GET()
            .build();
    HttpResponse<Stream<String>> r = CLIENT.send(req, HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, r.statusCode());
    List<String> first = r.body().filter(l -> !l.isBlank()).limit(2).toList();
    assertEquals(2, first.size(), first.toString());
    r.body().close();
  }

  @Test
  void aFloodOfSlowReviewsIsBoundedAndMetricsStillAnswer() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    CachedAuthenticator slow =
        new CachedAuthenticator(
            token -> {
              started.incrementAndGet();
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return QueryAuthenticator.Verdict.denied("no");
            },
            System::nanoTime);
    try (AgentHttpServer guarded =
        AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, metrics, slow)) {
      URI at = guarded.baseUri();
      List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        flood.add(
            CLIENT.sendAsync(
                HttpRequest.newBuilder(URI.create(at + EVENTS))
                    .header("Authorization", "Bearer made-up-" + i)
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      int refused = 0;
      while (System.nanoTime() < deadline) {
        refused = (int) flood.stream().filter(f -> f.isDone()).count();
        if (refused == 12 - CachedAuthenticator.MAX_REVIEWS_IN_FLIGHT) break;
        Thread.sleep(20);
      }
      assertEquals(CachedAuthenticator.MAX_REVIEWS_IN_FLIGHT, started.get(), "reviews at once");
      assertEquals(12 - CachedAuthenticator.MAX_REVIEWS_IN_FLIGHT, refused, "answered 503 at once");
      for (CompletableFuture<HttpResponse<String>> f : flood) {
        if (f.isDone()) assertEquals(503, f.get().statusCode(), f.get().body());
      }
      HttpResponse<String> m =
          CLIENT.send(
              HttpRequest.newBuilder(URI.create(at + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, m.statusCode(), "/metrics answers while reviews hang");
      release.countDown();
      for (CompletableFuture<HttpResponse<String>> f : flood) {
        int code = f.get(20, TimeUnit.SECONDS).statusCode();
        assertTrue(code == 403 || code == 503, "403 or 503: " + code);
      }
    }
  }

  @Test
  void verdictsAreCachedBrieflyAndBounded() {
    AtomicLong now = new AtomicLong();
    AtomicInteger calls = new AtomicInteger();
    CachedAuthenticator cache =
        new CachedAuthenticator(
            token -> {
              calls.incrementAndGet();
              return review(token);
            },
            now::get);
    assertEquals(QueryAuthenticator.Outcome.ALLOWED, cache.review("good").outcome());
    assertEquals(QueryAuthenticator.Outcome.DENIED, cache.review("bad").outcome());
    assertEquals(QueryAuthenticator.Outcome.UNAVAILABLE, cache.review("flaky").outcome());
    assertEquals(3, calls.get());
    cache.review("good");
    cache.review("bad");
    assertEquals(3, calls.get(), "both remembered");
    cache.review("flaky");
    assertEquals(4, calls.get(), "an unavailable review is not remembered");
    now.addAndGet(CachedAuthenticator.DENIED_TTL_NANOS);
    cache.review("good");
    cache.review("bad");
    assertEquals(5, calls.get(), "a refusal is reviewed again after 10 s, an allowance not yet");
    now.addAndGet(CachedAuthenticator.ALLOWED_TTL_NANOS);
    cache.review("good");
    assertEquals(6, calls.get(), "an allowance is reviewed again after 60 s");
    for (int i = 0; i < CachedAuthenticator.MAX_ENTRIES + 100; i++) cache.review("t" + i);
    assertEquals(CachedAuthenticator.MAX_ENTRIES, cache.size());
  }
}
