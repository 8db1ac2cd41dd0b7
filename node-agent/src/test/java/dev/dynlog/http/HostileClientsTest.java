package dev.dynlog.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.query.Dataset;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.store.TracepointState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP API against hostile clients, over real sockets on the loopback interface: slow request
 * heads, too many connections (per client address and in total), bodies that never end. Distinct
 * clients are distinct source addresses 127.0.0.N. Timings are asserted against the limits that
 * {@link AgentHttpServer} states (and docs/query-api.md documents).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tag("slow")
class HostileClientsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAME = "main.Sum";
  private static final String EVENTS = "/api/v1/tracepoints/main.Sum/events";
  private static final Duration FAST = Duration.ofSeconds(1);

  /** Slow clients in the slow-client test, spread over source addresses within the cap. */
  private static final int SLOW_CLIENTS = 60;

  private TracepointRegistry registry;
  private DynlogMetrics metrics;
  private AgentHttpServer server;
  private int port;
  private final List<RawClient> sockets = Collections.synchronizedList(new ArrayList<>());
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @BeforeEach
  void start() throws Exception {
    registry = Dataset.registry(NAME);
    metrics = new DynlogMetrics(registry);
    server = AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, metrics);
    port = server.port();
  }

  @AfterEach
  void stop() throws IOException {
    for (RawClient s : sockets) s.close();
    server.close();
    metrics.close();
  }

  /** Closes every raw connection; the server must count none open soon after. */
  private void closeAllAndAssertReleased() throws Exception {
    for (RawClient s : sockets) s.close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (server.openConnections() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
    assertEquals(0, server.openConnections(), "connections still counted after all closed");
  }

  private RawClient connect(String fromIp) throws IOException {
    RawClient c = RawClient.connect(fromIp, port);
    sockets.add(c);
    return c;
  }

  /** An answer through the JDK client and how long it took. */
  private record Timed(int status, String body, long nanos) {}

  private Timed timedGet(String pathAndQuery) throws Exception {
    return timedGet(pathAndQuery, FAST);
  }

  private Timed timedGet(String pathAndQuery, Duration timeout) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(server.baseUri() + pathAndQuery))
            .timeout(timeout)
            .build();
    long t0 = System.nanoTime();
    HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
    return new Timed(r.statusCode(), r.body(), System.nanoTime() - t0);
  }

  @Test
  void healthz() throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create(server.baseUri() + "/healthz")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertEquals("ok", r.body());
    assertEquals("text/plain; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
  }

  @Test
  void slowClientsAndEveryFollowLeaveMetricsHealthAndQueriesAnsweredWithinASecond()
      throws Exception {
    String query = EVENTS + "?limit=5&where=user%3Duser3";
    List<Integer> want = Dataset.where(i -> Dataset.user(i).equals("user3"));
    // Warm up the client and the server's code paths before the load.
    for (String p : List.of("/metrics", "/healthz", query))
      assertEquals(200, timedGet(p, Duration.ofSeconds(30)).status());
    Map<String, List<Long>> quiet = new TreeMap<>();
    for (int round = 0; round < 5; round++)
      for (String p : List.of("/metrics", "/healthz", query))
        quiet.computeIfAbsent(p, k -> new ArrayList<>()).add(timedGet(p).nanos());
    print("without load", quiet);

    List<HttpResponse<Stream<String>>> follows = new ArrayList<>();
    for (int i = 0; i < AgentHttpServer.MAX_FOLLOWS; i++) {
      HttpResponse<Stream<String>> f = Http.lines(server.baseUri(), EVENTS + "?follow=true", null);
      assertEquals(200, f.statusCode());
      follows.add(f);
    }

    // Slow clients: a request line, then one header line every 2 s, never the blank line.
    List<RawClient> slow = new ArrayList<>();
    for (int i = 0; i < SLOW_CLIENTS; i++) {
      RawClient c = connect("127.0.0." + (2 + i % 3));
      c.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      slow.add(c);
    }
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try {
      trickle.scheduleAtFixedRate(
          () -> {
            for (RawClient c : slow) {
              try {
                c.send("X-Slow-" + System.nanoTime() + ": 1\r\n");
              } catch (IOException e) {
                // asserted below: every slow client must still be connected
              }
            }
          },
          2,
          2,
          TimeUnit.SECONDS);

      Map<String, List<Long>> times = new TreeMap<>();
      long start = System.nanoTime();
      Thread.sleep(1000);
      for (int round = 0; round < 5; round++) {
        for (String p : List.of("/metrics", "/healthz", query)) {
          Timed t = timedGet(p);
          assertEquals(200, t.status(), p + " → " + t.body());
          assertTrue(t.nanos() < FAST.toNanos(), p + " took " + t.nanos() / 1e6 + " ms");
          times.computeIfAbsent(p, k -> new ArrayList<>()).add(t.nanos());
          if (p.equals("/healthz")) assertEquals(RootHandler.HEALTHY, t.body());
          if (p.equals(query)) {
            List<Integer> got = new ArrayList<>();
            for (JsonNode row : JSON.readTree(t.body()).get("rows"))
              got.add((int) (row.get("goid").asLong() - 1000));
            assertEquals(
                List.of(
                    want.get(want.size() - 1),
                    want.get(want.size() - 2),
                    want.get(want.size() - 3),
                    want.get(want.size() - 4),
                    want.get(want.size() - 5)),
                got);
          }
        }
        Timed extra = timedGet(EVENTS + "?follow=true");
        assertEquals(503, extra.status(), extra.body());
        assertTrue(extra.body().contains("too many live follows"), extra.body());
        Thread.sleep(1000);
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      // The slow clients were held open by the server the whole time (not dropped early).
      assertTrue(
          elapsed < AgentHttpServer.HEADER_TIMEOUT.toSeconds(), "the rounds took " + elapsed);
      for (RawClient c : slow) assertTrue(c.isOpen(), "a slow client was dropped early");
      print(
          "under " + SLOW_CLIENTS + " slow clients and " + AgentHttpServer.MAX_FOLLOWS + " follows",
          times);
    } finally {
      trickle.shutdownNow();
    }
    registry.stop(NAME, TracepointState.STOPPED, "test over");
    for (HttpResponse<Stream<String>> f : follows) f.body().close();
  }

  private static void print(String when, Map<String, List<Long>> times) {
    times.forEach(
        (p, ns) -> {
          Collections.sort(ns);
          System.out.printf(
              "%s: %s median %.1f ms, max %.1f ms%n",
              when, p, ns.get(ns.size() / 2) / 1e6, ns.get(ns.size() - 1) / 1e6);
        });
  }

  @Test
  void connectionsBeyondThePerClientCapAreRefusedPromptly() throws Exception {
    List<RawClient> held = new ArrayList<>();
    for (int i = 0; i < AgentHttpServer.MAX_CONNECTIONS_PER_CLIENT; i++)
      held.add(connect("127.0.0.2"));
    Thread.sleep(300);
    for (RawClient c : held) assertTrue(c.isOpen(), "a connection within the cap was closed");

    // One more from the same address: answered 503 with the reason, then closed.
    RawClient excess = connect("127.0.0.2");
    long t0 = System.nanoTime();
    excess.get("/healthz");
    RawClient.Answer a = excess.read(FAST);
    assertEquals(503, a.status());
    assertEquals(
        "too many connections from 127.0.0.2: at most "
            + AgentHttpServer.MAX_CONNECTIONS_PER_CLIENT
            + " at once per client; close idle ones and retry",
        JSON.readTree(a.body()).get("error").asText());
    assertEquals("close", a.header("Connection"));
    assertTrue(excess.awaitClosed(FAST), "the excess connection stayed open");
    assertTrue(System.nanoTime() - t0 < FAST.toNanos());
    excess.close();

    // One more that sends nothing: closed after the short excess timeout.
    RawClient silent = connect("127.0.0.2");
    t0 = System.nanoTime();
    assertTrue(
        silent.awaitClosed(AgentHttpServer.CLOSING_TIMEOUT.plusMillis(1000)),
        "a silent excess connection stayed open");
    assertTrue(System.nanoTime() - t0 >= AgentHttpServer.CLOSING_TIMEOUT.toNanos() - 50_000_000L);

    // Other clients are served meanwhile.
    RawClient other = connect("127.0.0.1");
    other.get("/metrics");
    assertEquals(200, other.read(FAST).status());
    for (RawClient c : held) assertTrue(c.isOpen());

    // A slot freed is a slot for the same client again.
    held.remove(0).close();
    long deadline = System.nanoTime() + FAST.toNanos();
    int status;
    do {
      try (RawClient again = connect("127.0.0.2")) {
        again.get("/healthz");
        status = again.read(FAST).status();
      }
    } while (status != 200 && System.nanoTime() < deadline);
    assertEquals(200, status, "the client got no slot back after closing a connection");
    closeAllAndAssertReleased();
  }

  @Test
  void connectionsBeyondTheTotalCapAreClosedAtOnceAndServingGoesOn() throws Exception {
    // A legitimate client with a keep-alive connection opened before the flood.
    RawClient legit = connect("127.0.0.1");
    legit.get("/healthz");
    assertEquals(200, legit.read(FAST).status());

    int perAddress = AgentHttpServer.MAX_CONNECTIONS_PER_CLIENT - 1;
    List<RawClient> flood = new ArrayList<>();
    for (int i = 0; flood.size() < AgentHttpServer.MAX_CONNECTIONS - 1; i++)
      flood.add(connect("127.0.1." + (1 + i / perAddress)));
    Thread.sleep(500); // let the server accept them all
    for (RawClient c : flood) assertTrue(c.isOpen(), "a connection within the cap was closed");

    // Beyond the cap: closed at once, without an answer.
    for (int k = 0; k < 3; k++) {
      RawClient beyond = connect("127.0.2." + (1 + k));
      long t0 = System.nanoTime();
      try {
        beyond.get("/healthz");
      } catch (IOException e) {
        // reset while sending: refused as well
      }
      assertTrue(beyond.awaitClosed(FAST), "a connection beyond the total cap stayed open");
      assertTrue(System.nanoTime() - t0 < FAST.toNanos());
    }

    // The legitimate connection is still served, fast.
    long t0 = System.nanoTime();
    legit.get("/metrics");
    assertEquals(200, legit.read(FAST).status());
    assertTrue(System.nanoTime() - t0 < FAST.toNanos());

    // Once connections go away, new ones are served again.
    for (int i = 0; i < 10; i++) flood.remove(flood.size() - 1).close();
    long deadline = System.nanoTime() + FAST.toNanos();
    int status = 0;
    while (status != 200 && System.nanoTime() < deadline) {
      RawClient fresh = connect("127.0.2.9");
      try {
        fresh.get("/healthz");
        status = fresh.read(FAST).status();
      } catch (IOException e) {
        Thread.sleep(20);
      }
    }
    assertEquals(200, status, "no new connection was served after others closed");
    closeAllAndAssertReleased();
  }

  @Test
  void aRequestHeadThatNeverEndsIsClosedAfterTheHeaderTimeout() throws Exception {
    Duration timeout = AgentHttpServer.HEADER_TIMEOUT;
    Duration slack = Duration.ofMillis(1500);

    // A: request line, then a header every second, never the blank line.
    CompletableFuture<Long> trickling =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                RawClient c = connect("127.0.0.3");
                long t0 = System.nanoTime();
                c.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n");
                for (int i = 0; ; i++) {
                  if (c.awaitClosed(Duration.ofSeconds(1))) return System.nanoTime() - t0;
                  if (System.nanoTime() - t0 > timeout.plus(slack).toNanos()) return -1L;
                  try {
                    c.send("X-Slow-" + i + ": 1\r\n");
                  } catch (IOException e) {
                    return System.nanoTime() - t0;
                  }
                }
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    // B: sends nothing at all.
    CompletableFuture<Long> silent = closedAfter(() -> connect("127.0.0.4"), timeout.plus(slack));
    // C: one request answered, then idle on a kept-alive connection.
    CompletableFuture<Long> keptAlive =
        closedAfter(
            () -> {
              RawClient c = connect("127.0.0.5");
              c.get("/healthz");
              if (c.read(FAST).status() != 200) throw new IOException("not 200");
              return c;
            },
            timeout.plus(slack));
    // D: a slow client that does finish its head within the timeout is answered.
    RawClient slowButDone = connect("127.0.0.6");
    slowButDone.send("GET /healthz HTTP/1.1\r\n");
    for (int i = 0; i < 3; i++) {
      Thread.sleep(1000);
      slowButDone.send(i == 0 ? "Host: 127.0.0.1\r\n" : "X-Slow-" + i + ": 1\r\n");
    }
    slowButDone.send("\r\n");
    RawClient.Answer a = slowButDone.read(FAST);
    assertEquals(200, a.status());
    assertEquals("ok", a.body());

    for (var entry :
        Map.of("trickling head", trickling, "silent", silent, "idle keep-alive", keptAlive)
            .entrySet()) {
      long ns = entry.getValue().get(60, TimeUnit.SECONDS);
      System.out.printf("%s: closed after %.2f s%n", entry.getKey(), ns / 1e9);
      assertTrue(ns > 0, entry.getKey() + ": not closed within " + timeout.plus(slack));
      assertTrue(
          ns >= timeout.toNanos() - 100_000_000L,
          entry.getKey() + ": closed too early, after " + ns / 1e9 + " s");
    }
  }

  private interface Opener {
    RawClient open() throws IOException;
  }

  /** Opens a connection and measures when the server closes it (-1: not within {@code limit}). */
  private static CompletableFuture<Long> closedAfter(Opener opener, Duration limit) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            RawClient c = opener.open();
            long t0 = System.nanoTime();
            return c.awaitClosed(limit) ? System.nanoTime() - t0 : -1L;
          } catch (IOException e) {
            throw new RuntimeException(e);
          }
        });
  }

  @Test
  void aRequestBodyIsNeverWaitedFor() throws Exception {
    // A body announced by Content-Length that trickles: answered at once, then closed.
    RawClient post = connect("127.0.0.7");
    post.send(
        "POST /api/v1/tracepoints HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n"
            + "0123456789");
    long t0 = System.nanoTime();
    RawClient.Answer a = post.read(FAST);
    assertEquals(405, a.status());
    assertEquals("only GET is supported", JSON.readTree(a.body()).get("error").asText());
    CompletableFuture<Void> trickle =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (int i = 0; i < 20; i++) {
                  post.send("x");
                  Thread.sleep(100);
                }
              } catch (IOException | InterruptedException e) {
                // closed by the server: expected
              }
            });
    assertTrue(post.awaitClosed(FAST), "a connection with an unfinished body stayed open");
    assertTrue(System.nanoTime() - t0 < 2 * FAST.toNanos());
    trickle.get(10, TimeUnit.SECONDS);

    // A chunked body that never ends, on a GET.
    RawClient chunked = connect("127.0.0.8");
    chunked.send(
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n");
    t0 = System.nanoTime();
    RawClient.Answer b = chunked.read(FAST);
    assertEquals(200, b.status());
    assertEquals("ok", b.body());
    assertTrue(chunked.awaitClosed(FAST), "a connection with an unfinished body stayed open");
    assertTrue(System.nanoTime() - t0 < 2 * FAST.toNanos());

    // The server is unaffected.
    RawClient next = connect("127.0.0.9");
    next.get("/healthz");
    assertEquals(200, next.read(FAST).status());
    assertFalse(a.body().isEmpty());
  }
}
