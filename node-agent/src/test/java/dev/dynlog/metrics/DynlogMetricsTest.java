package dev.dynlog.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.http.AgentHttpServer;
import dev.dynlog.http.Http;
import dev.dynlog.store.LabelSpec;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.store.TracepointState;
import dev.dynlog.trace.ProbeCounters;
import dev.dynlog.trace.Row;
import io.prometheus.metrics.model.snapshots.Labels;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** /metrics over real HTTP: every value equals the counters it comes from. */
class DynlogMetricsTest {

  /** 1µs, 10µs, 100µs, 1ms, 10ms, 100ms, 1s, 10s. */
  static final long[] BOUNDS = {
    1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000L
  };

  static ProbeCounters counters(long calls, long[] buckets) {
    long returns = 0;
    for (long b : buckets) returns += b;
    return new ProbeCounters(
        calls, returns, 13, BOUNDS, buckets, 987_654_321L, 11, 22, 33, 44, 1_234_567_890L, 5555, 6);
  }

  static Row row(String tp, Object status) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("status", status);
    return new Row(tp, 1, 1, 1, -1, "f", 5, c, Map.of());
  }

  @Test
  void metricsEqualTheKernelCountersAndTheStoreCounts() throws Exception {
    TracepointRegistry registry =
        new TracepointRegistry(new StoreConfig(10, 1 << 20, Duration.ofMinutes(1)));
    AtomicReference<ProbeCounters> kernel =
        new AtomicReference<>(counters(100, new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9}));
    StoredTracepoint tp =
        registry.register(
            new TracepointInfo(
                "login",
                "main.Login",
                "pid 1",
                List.of("status"),
                true,
                List.of(new LabelSpec("status", 2))),
            kernel::get);
    registry.register(
        new TracepointInfo("nolat", "main.F", "pid 1", List.of(), false, List.of()),
        () -> counters(7, new long[] {0, 0, 0, 0, 0, 0, 0, 0, 0}));
    for (long s : new long[] {200, 200, 404, 500, 503, 200}) tp.append(row("login", s));
    Map<String, Object> unreadable = new LinkedHashMap<>();
    unreadable.put("status", null);
    tp.append(
        new Row("login", 1, 1, 1, -1, "f", 5, unreadable, Map.of("status", "unreadable memory")));
    for (int i = 0; i < 20; i++) tp.append(row("login", 200L));
    tp.cpuRatio(0.0425);
    tp.budgetTripped();

    try (DynlogMetrics metrics = new DynlogMetrics(registry);
        AgentHttpServer server =
            AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, metrics)) {
      HttpResponse<String> r = Http.get(server.baseUri(), "/metrics");
      assertEquals(200, r.statusCode());
      assertTrue(
          r.headers()
              .firstValue("Content-Type")
              .orElseThrow()
              .startsWith("text/plain; version=0.0.4"));
      PromText p = new PromText(r.body());

      assertEquals(100, p.value("dynlog_calls_total", "tracepoint", "login"));
      assertEquals(7, p.value("dynlog_calls_total", "tracepoint", "nolat"));
      assertEquals(13, p.value("dynlog_errors_total", "tracepoint", "login"));
      assertEquals(
          11, p.value("dynlog_events_dropped_total", "tracepoint", "login", "reason", "ring_full"));
      assertEquals(
          22,
          p.value("dynlog_events_dropped_total", "tracepoint", "login", "reason", "rate_limited"));
      assertEquals(
          33,
          p.value(
              "dynlog_events_dropped_total", "tracepoint", "login", "reason", "pairing_evicted"));
      assertEquals(
          44,
          p.value("dynlog_events_dropped_total", "tracepoint", "login", "reason", "decode_failed"));
      assertEquals(
          27 - 10,
          p.value(
              "dynlog_events_dropped_total", "tracepoint", "login", "reason", "buffer_evicted"));
      assertEquals(
          1.23456789, p.value("dynlog_probe_cpu_seconds_total", "tracepoint", "login"), 1e-12);
      assertEquals(5555, p.value("dynlog_probe_runs_total", "tracepoint", "login"));
      assertEquals(0.0425, p.value("dynlog_probe_cpu_ratio", "tracepoint", "login"), 1e-12);
      assertEquals(1, p.value("dynlog_cpu_budget_trips_total", "tracepoint", "login"));
      assertEquals(
          List.of(),
          p.find("dynlog_probe_cpu_ratio", "tracepoint", "nolat"),
          "no budget, no ratio (standalone)");
      assertEquals(6, p.value("dynlog_attached_probes", "tracepoint", "login"));
      assertEquals(10, p.value("dynlog_buffer_rows", "tracepoint", "login"));
      assertEquals(
          tp.buffer().memoryBytes(), p.value("dynlog_buffer_bytes", "tracepoint", "login"));

      // The kernel's buckets, cumulated, bound for bound (in seconds).
      String[] le = {"1.0E-6", "1.0E-5", "1.0E-4", "0.001", "0.01", "0.1", "1.0", "10.0", "+Inf"};
      long cumulative = 0;
      for (int i = 0; i < le.length; i++) {
        cumulative += i + 1;
        assertEquals(
            cumulative,
            p.value("dynlog_call_duration_seconds_bucket", "tracepoint", "login", "le", le[i]),
            "le=" + le[i]);
      }
      assertEquals(45, p.value("dynlog_call_duration_seconds_count", "tracepoint", "login"));
      assertEquals(
          0.987654321, p.value("dynlog_call_duration_seconds_sum", "tracepoint", "login"), 1e-12);
      assertTrue(
          p.find("dynlog_call_duration_seconds_count", "tracepoint", "nolat").isEmpty(),
          "no histogram without latency");

      // Label cap 2: 200 and 404 are kept, later values are "other"; the unreadable row has its own
      // value.
      assertEquals(23, p.value("dynlog_rows_total", "tracepoint", "login", "status", "200"));
      assertEquals(1, p.value("dynlog_rows_total", "tracepoint", "login", "status", "404"));
      assertEquals(2, p.value("dynlog_rows_total", "tracepoint", "login", "status", "other"));
      assertEquals(1, p.value("dynlog_rows_total", "tracepoint", "login", "status", "unreadable"));
      assertEquals(4, p.find("dynlog_rows_total", "tracepoint", "login").size());
      assertEquals(0, p.value("dynlog_rows_total", "tracepoint", "nolat"));

      // Only tracepoint, reason and declared labels on dynlog_* metrics.
      for (PromText.Sample s : p.samples()) {
        if (!s.name().startsWith("dynlog_")) continue;
        for (String label : s.labels().keySet()) {
          assertTrue(List.of("tracepoint", "reason", "le", "status").contains(label), s.toString());
        }
      }

      // JVM and process metrics from Micrometer's binders.
      assertTrue(p.sampleNames().contains("jvm_memory_used_bytes"), p.sampleNames().toString());
      assertTrue(p.sampleNames().contains("jvm_gc_memory_allocated_bytes_total"));
      assertTrue(p.sampleNames().contains("jvm_threads_live_threads"));
      assertTrue(p.sampleNames().contains("process_cpu_usage"));
      assertTrue(p.sampleNames().contains("process_uptime_seconds"));
      assertTrue(p.sampleNames().contains("process_files_open_files"));

      // Scrapes read the counters afresh; after stop the last values stay.
      kernel.set(counters(150, new long[] {1, 2, 3, 4, 5, 6, 7, 8, 10}));
      PromText p2 = new PromText(Http.get(server.baseUri(), "/metrics").body());
      assertEquals(150, p2.value("dynlog_calls_total", "tracepoint", "login"));
      assertEquals(46, p2.value("dynlog_call_duration_seconds_count", "tracepoint", "login"));
      registry.stop("login", TracepointState.STOPPED, "done");
      kernel.set(counters(999, new long[] {1, 2, 3, 4, 5, 6, 7, 8, 10}));
      PromText p3 = new PromText(Http.get(server.baseUri(), "/metrics").body());
      assertEquals(150, p3.value("dynlog_calls_total", "tracepoint", "login"));
    }
  }

  @Test
  void histogramWithMismatchedBucketsIsRefused() {
    ProbeCounters bad =
        new ProbeCounters(1, 1, 0, new long[] {1000}, new long[] {1}, 0, 0, 0, 0, 0, 0, 0, 0);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> TracepointCollector.histogram(Labels.EMPTY, bad));
    assertTrue(e.getMessage().contains("1 bounds but 1 counts"), e.getMessage());
  }
}
