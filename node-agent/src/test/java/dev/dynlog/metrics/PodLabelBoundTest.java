package dev.dynlog.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.http.AgentHttpServer;
import dev.dynlog.http.Http;
import dev.dynlog.store.Placement;
import dev.dynlog.store.PodCounters;
import dev.dynlog.store.PodSeries;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.trace.ProbeCounters;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * /metrics of a node agent's tracepoint in 30 pods: 20 pods by name and pod="other", every per-pod
 * metric summing exactly to the tracepoint's total, scrape after scrape.
 */
class PodLabelBoundTest {

  static final long[] BOUNDS = DynlogMetricsTest.BOUNDS;

  /** Pod i's counters at scrape s: distinct, growing numbers, so that a wrong sum shows. */
  static ProbeCounters pod(int i, int s) {
    long calls = 1000L * (i + 1) + s;
    long[] buckets = new long[BOUNDS.length + 1];
    buckets[i % buckets.length] = calls;
    return new ProbeCounters(
        calls,
        calls,
        i + s,
        BOUNDS,
        buckets,
        calls * 1000,
        i,
        2 * i,
        3 * i,
        4 * i,
        7_000L * i,
        2 * calls,
        1);
  }

  @Test
  void atMostTwentyPodsByNameTheRestAsOtherAndTheSumsAreExact() throws Exception {
    TracepointRegistry registry = new TracepointRegistry(StoreConfig.DEFAULT);
    AtomicInteger scrape = new AtomicInteger();
    int pods = 30;
    registry.register(
        new TracepointInfo("shop/hot", "hot", "node n1", List.of(), true, List.of()),
        new Placement("shop", "hot", "n1"),
        () -> {
          List<PodCounters> out = new ArrayList<>();
          for (int i = 0; i < pods; i++)
            out.add(new PodCounters(String.format("web-%02d", i), pod(i, scrape.get())));
          return out;
        });
    try (DynlogMetrics metrics = new DynlogMetrics(registry);
        AgentHttpServer server =
            AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, metrics)) {
      for (int s = 0; s < 3; s++) {
        scrape.set(s);
        PromText text = new PromText(Http.get(server.baseUri(), "/metrics").body());
        ProbeCounters total = null;
        for (int i = 0; i < pods; i++) total = ProbeCounters.sum(total, pod(i, s));
        Set<String> podLabels = new TreeSet<>();
        for (PromText.Sample x : text.find("dynlog_calls_total"))
          podLabels.add(x.labels().get("pod"));
        assertEquals(PodSeries.MAX_PODS + 1, podLabels.size(), podLabels.toString());
        assertTrue(podLabels.contains("other"));
        assertTrue(
            podLabels.contains("web-19") && !podLabels.contains("web-20"), podLabels.toString());
        long otherCalls = 0;
        for (int i = PodSeries.MAX_PODS; i < pods; i++) otherCalls += pod(i, s).calls();
        assertEquals(otherCalls, (long) text.value("dynlog_calls_total", "pod", "other"));
        assertEquals(pod(3, s).calls(), (long) text.value("dynlog_calls_total", "pod", "web-03"));

        assertEquals(total.calls(), sum(text, "dynlog_calls_total"));
        assertEquals(total.errors(), sum(text, "dynlog_errors_total"));
        assertEquals(total.probeRunCount(), sum(text, "dynlog_probe_runs_total"));
        assertEquals(
            total.probeRunTimeNs() / 1e9, sumDouble(text, "dynlog_probe_cpu_seconds_total"), 1e-9);
        assertEquals(total.attachedProbes(), sum(text, "dynlog_attached_probes"));
        assertEquals(total.returns(), sum(text, "dynlog_call_duration_seconds_count"));
        assertEquals(
            total.droppedRateLimited(),
            sum(text, "dynlog_events_dropped_total", "reason", "rate_limited"));
        assertEquals(
            total.droppedDecodeFailed(),
            sum(text, "dynlog_events_dropped_total", "reason", "decode_failed"));
        long inf = 0;
        for (long b : total.latencyBucketCounts()) inf += b;
        assertEquals(inf, sum(text, "dynlog_call_duration_seconds_bucket", "le", "+Inf"));
        for (PromText.Sample x : text.find("dynlog_calls_total")) {
          assertEquals("shop", x.labels().get("namespace"));
          assertEquals("hot", x.labels().get("tracepoint"));
          assertEquals("n1", x.labels().get("node"));
        }
        // the buffer is the tracepoint's: no pod label
        assertEquals(1, text.find("dynlog_buffer_rows").size());
        assertEquals(null, text.find("dynlog_buffer_rows").get(0).labels().get("pod"));
      }
    }
  }

  private static long sum(PromText text, String name, String... labels) {
    return Math.round(sumDouble(text, name, labels));
  }

  private static double sumDouble(PromText text, String name, String... labels) {
    double sum = 0;
    for (PromText.Sample x : text.find(name, labels)) sum += x.value();
    return sum;
  }
}
