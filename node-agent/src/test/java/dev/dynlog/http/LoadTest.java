package dev.dynlog.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.metrics.PromText;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.store.TracepointState;
import dev.dynlog.trace.ProbeCounters;
import dev.dynlog.trace.Row;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Load (prints figures; loopback only, bounded in time): a producer feeds one tracepoint as fast as
 * it can for a few seconds, simulating the kernel's rate limiter (every 10th call limited), while
 * HTTP queries and a live follow run concurrently. Afterwards the counters must balance exactly:
 * buffered + evicted + rate-limited == calls, and followed + missed == rows appended; the buffer's
 * bytes never exceed the bound.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoadTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ROWS = 50_000;
  private static final long MAX_BYTES = 16L << 20;
  private static final long PRODUCE_NANOS = TimeUnit.SECONDS.toNanos(4);

  /** Target producer rate: well above what a real ring buffer delivers per tracepoint. */
  private static final long CALLS_PER_SECOND = 200_000;

  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong rateLimited = new AtomicLong();

  private ProbeCounters kernel() {
    long c = calls.get();
    return new ProbeCounters(
        c,
        c,
        0,
        new long[] {1_000_000},
        new long[] {c, 0},
        c * 1000,
        0,
        rateLimited.get(),
        0,
        0,
        0,
        0,
        1);
  }

  private static Row row(long i) {
    Map<String, Object> captures = new LinkedHashMap<>();
    captures.put("user", "user" + (i % 97));
    captures.put("n", i);
    Map<String, Object> money = new LinkedHashMap<>();
    money.put("Units", i % 1000);
    money.put("Currency", "EUR");
    captures.put("l", money);
    captures.put("err", i % 50 == 0 ? "insufficient funds" : null);
    return new Row(
        "load",
        System.currentTimeMillis() * 1_000_000L,
        1000 + (int) (i % 4),
        2000,
        i,
        "main.Sum",
        i % 5000,
        captures,
        Map.of());
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Test
  void countersBalanceExactlyUnderLoadWhileQueryingAndFollowing() throws Exception {
    TracepointRegistry registry =
        new TracepointRegistry(new StoreConfig(MAX_ROWS, MAX_BYTES, Duration.ofMinutes(5)));
    StoredTracepoint tp =
        registry.register(
            new TracepointInfo(
                "load", "main.Sum", "synthetic", List.of("user", "n", "l", "err"), true, List.of()),
            this::kernel);
    try (DynlogMetrics metrics = new DynlogMetrics(registry);
        AgentHttpServer server =
            AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, metrics)) {
      var base = server.baseUri();
      long heapBefore = usedHeap();

      // The live follow, from now on (no history).
      HttpResponse<Stream<String>> follow =
          Http.lines(base, "/api/v1/tracepoints/load/events?follow=true&limit=0", null);
      AtomicLong followed = new AtomicLong();
      AtomicLong missed = new AtomicLong();
      CompletableFuture<Void> follower =
          CompletableFuture.runAsync(
              () ->
                  follow
                      .body()
                      .forEach(
                          line -> {
                            if (line.startsWith("{\"ts\"")) followed.incrementAndGet();
                            else if (line.startsWith("{\"dropped\":"))
                              missed.addAndGet(Long.parseLong(line.replaceAll("\\D", "")));
                          }));
      while (tp.buffer().subscribers() == 0) Thread.sleep(5);

      // Queries, concurrently, until the producer is done.
      AtomicBoolean producing = new AtomicBoolean(true);
      List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
      String[] queries = {
        "?limit=100",
        "?limit=100&where=user%3Duser42",
        "?limit=50&min_latency=4us&where=l.Units%3E900",
        "?limit=20&where=err!%3Dnull&pid=1002",
        "?limit=10&order=oldest&where=user%20contains%2077"
      };
      List<CompletableFuture<Void>> queriers = new ArrayList<>();
      for (int q = 0; q < 2; q++) {
        int first = q;
        queriers.add(
            CompletableFuture.runAsync(
                () -> {
                  int k = first;
                  while (producing.get()) {
                    long t0 = System.nanoTime();
                    try {
                      HttpResponse<String> r =
                          Http.get(
                              base,
                              "/api/v1/tracepoints/load/events" + queries[k++ % queries.length]);
                      if (r.statusCode() != 200) throw new AssertionError(r.body());
                    } catch (Exception e) {
                      throw new RuntimeException(e);
                    }
                    latencies.add(System.nanoTime() - t0);
                  }
                }));
      }

      // The producer, paced at CALLS_PER_SECOND: every 10th call is "rate limited in the kernel"
      // (counted, no row).
      long maxBytesSeen = 0;
      long start = System.nanoTime();
      long i = 0;
      while (System.nanoTime() - start < PRODUCE_NANOS) {
        long due = (System.nanoTime() - start) * CALLS_PER_SECOND / 1_000_000_000L;
        if (i >= due) {
          Thread.onSpinWait();
          continue;
        }
        for (int burst = 0; burst < 100; burst++, i++) {
          calls.incrementAndGet();
          if (i % 10 == 9) rateLimited.incrementAndGet();
          else tp.append(row(i));
        }
        maxBytesSeen = Math.max(maxBytesSeen, tp.buffer().memoryBytes());
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      producing.set(false);
      for (CompletableFuture<Void> q : queriers) q.get(30, TimeUnit.SECONDS);
      long heapFull = usedHeap();
      List<Long> idle = new ArrayList<>();
      for (int k = 0; k < 50; k++) {
        long t0 = System.nanoTime();
        Http.get(base, "/api/v1/tracepoints/load/events" + queries[k % queries.length]);
        idle.add(System.nanoTime() - t0);
      }
      Collections.sort(idle);
      registry.stop("load", TracepointState.STOPPED, "load test over");
      follower.get(60, TimeUnit.SECONDS);

      PromText m = new PromText(Http.get(base, "/metrics").body());
      JsonNode counts =
          JSON.readTree(Http.get(base, "/api/v1/tracepoints/load").body()).get("counts");
      long produced = i;
      long callsTotal = (long) m.value("dynlog_calls_total", "tracepoint", "load");
      long limited =
          (long)
              m.value(
                  "dynlog_events_dropped_total", "tracepoint", "load", "reason", "rate_limited");
      long evicted =
          (long)
              m.value(
                  "dynlog_events_dropped_total", "tracepoint", "load", "reason", "buffer_evicted");
      long buffered = counts.get("rows_buffered").asLong();
      long received = counts.get("rows_received").asLong();

      List<Long> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      System.out.printf(
          "load: %d calls in %.1f s = %.0f calls/s; rows appended %d, buffered %d, evicted %d, rate-limited %d%n",
          produced, seconds, produced / seconds, received, buffered, evicted, limited);
      System.out.printf(
          "load: follow delivered %d, missed (slow reader) %d%n", followed.get(), missed.get());
      System.out.printf(
          "load: %d queries, p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
          sorted.size(),
          pct(sorted, 0.50) / 1e6,
          pct(sorted, 0.99) / 1e6,
          sorted.get(sorted.size() - 1) / 1e6);
      System.out.printf(
          "load: same queries with the producer stopped: p50 %.2f ms, p99 %.2f ms%n",
          pct(idle, 0.50) / 1e6, pct(idle, 0.99) / 1e6);
      System.out.printf(
          "load: buffer bytes max %d (bound %d); heap with full buffer %+.1f MiB over the empty-server baseline%n",
          maxBytesSeen, MAX_BYTES, (heapFull - heapBefore) / 1048576.0);

      assertEquals(produced, callsTotal);
      assertEquals(
          produced, buffered + evicted + limited, "buffered + evicted + rate-limited == calls");
      assertEquals(produced - limited, received);
      assertEquals(received, followed.get() + missed.get(), "followed + missed == rows appended");
      assertTrue(
          maxBytesSeen <= MAX_BYTES, "buffer bytes " + maxBytesSeen + " > bound " + MAX_BYTES);
      assertTrue(buffered <= MAX_ROWS);
      assertTrue(evicted > 0, "the load must overflow the buffer to test eviction");
      assertTrue(sorted.size() > 10, "too few queries ran: " + sorted.size());
    }
  }

  private static long pct(List<Long> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }
}
