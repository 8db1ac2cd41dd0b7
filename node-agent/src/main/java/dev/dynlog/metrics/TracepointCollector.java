package dev.dynlog.metrics;

import dev.dynlog.store.LabelCounts;
import dev.dynlog.store.LabelSpec;
import dev.dynlog.store.Placement;
import dev.dynlog.store.PodCounters;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.trace.ProbeCounters;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the tracepoint metrics at scrape time from the kernel's exact counters ({@link
 * ProbeCounters}) and the store's own counts. A standalone tracepoint's labels are only {@code
 * tracepoint} (and {@code reason} for drops), plus the declared low-cardinality labels on {@code
 * dynlog_rows_total}. A node agent's tracepoint (one with a {@link Placement}) carries {@code
 * namespace}, {@code tracepoint} (the name without the namespace) and {@code node} on every metric,
 * and the kernel's counters (calls, errors, kernel drops, probe CPU and runs, the latency
 * histogram, attached probes) come per {@code pod}, bounded by {@link dev.dynlog.store.PodSeries}:
 * the series of one tracepoint add up to its total. The latency histogram is the kernel's own
 * histogram, bucket for bucket, so it is exact even when rows are rate limited or sampled.
 */
final class TracepointCollector implements MultiCollector {

  /** The {@code reason} label values of {@code dynlog_events_dropped_total}. */
  static final List<String> DROP_REASONS =
      List.of("ring_full", "rate_limited", "pairing_evicted", "decode_failed", "buffer_evicted");

  private final TracepointRegistry tracepoints;

  TracepointCollector(TracepointRegistry tracepoints) {
    this.tracepoints = tracepoints;
  }

  @Override
  public MetricSnapshots collect() {
    CounterSnapshot.Builder calls =
        CounterSnapshot.builder()
            .name("dynlog_calls")
            .help(
                "Calls of the traced function, counted in the kernel (exact, including rate-limited calls)");
    CounterSnapshot.Builder errors =
        CounterSnapshot.builder()
            .name("dynlog_errors")
            .help("Calls whose Go error result was non-nil, counted in the kernel (exact)");
    CounterSnapshot.Builder dropped =
        CounterSnapshot.builder()
            .name("dynlog_events_dropped")
            .help(
                "Rows lost, by reason: ring_full, rate_limited (incl. sampling), pairing_evicted, decode_failed, buffer_evicted");
    CounterSnapshot.Builder cpu =
        CounterSnapshot.builder()
            .name("dynlog_probe_cpu_seconds")
            .unit(Unit.SECONDS)
            .help(
                "Time spent running this tracepoint's BPF programs, measured in the kernel around each run of its probes"
                    + " (the uprobe trap itself is not included)");
    CounterSnapshot.Builder runs =
        CounterSnapshot.builder()
            .name("dynlog_probe_runs")
            .help(
                "Runs of this tracepoint's BPF programs (entry and return probe hits), counted in the kernel");
    CounterSnapshot.Builder rows =
        CounterSnapshot.builder()
            .name("dynlog_rows")
            .help(
                "Rows received by the agent (sampled when rate limited), by declared low-cardinality labels");
    HistogramSnapshot.Builder duration =
        HistogramSnapshot.builder()
            .name("dynlog_call_duration_seconds")
            .unit(Unit.SECONDS)
            .help("Call latency from the kernel's histogram (exact, including rate-limited calls)");
    GaugeSnapshot.Builder attached =
        GaugeSnapshot.builder()
            .name("dynlog_attached_probes")
            .help("Uprobes currently attached for this tracepoint");
    GaugeSnapshot.Builder bufferRows =
        GaugeSnapshot.builder()
            .name("dynlog_buffer_rows")
            .help("Rows held in this tracepoint's query buffer");
    GaugeSnapshot.Builder bufferBytes =
        GaugeSnapshot.builder()
            .name("dynlog_buffer_bytes")
            .unit(Unit.BYTES)
            .help(
                "Estimated bytes held by this tracepoint's query buffer (bounded by the configured maximum)");
    GaugeSnapshot.Builder cpuRatio =
        GaugeSnapshot.builder()
            .name("dynlog_probe_cpu_ratio")
            .help(
                "Estimated fraction of one core this tracepoint's probes cost on this node over the last second:"
                    + " hits x the per-hit uprobe cost calibrated at agent start plus BPF run time (node agent only)");
    CounterSnapshot.Builder budgetTrips =
        CounterSnapshot.builder()
            .name("dynlog_cpu_budget_trips")
            .help(
                "Times this tracepoint was detached on this node for exceeding limits.maxCpuPercent");

    for (StoredTracepoint tp : tracepoints.list()) {
      Labels tl = labels(tp);
      for (PodCounters pc : tp.podCounters()) {
        Labels pl = pc.pod() == null ? tl : tl.add("pod", pc.pod());
        ProbeCounters c = pc.counters();
        calls.dataPoint(counter(pl, c.calls()));
        errors.dataPoint(counter(pl, c.errors()));
        long[] drops = {
          c.droppedRingFull(),
          c.droppedRateLimited(),
          c.droppedPairingEvicted(),
          c.droppedDecodeFailed()
        };
        for (int i = 0; i < drops.length; i++) {
          dropped.dataPoint(counter(pl.add("reason", DROP_REASONS.get(i)), drops[i]));
        }
        cpu.dataPoint(
            CounterDataPointSnapshot.builder().labels(pl).value(c.probeRunTimeNs() / 1e9).build());
        runs.dataPoint(counter(pl, c.probeRunCount()));
        if (tp.info().latency()) duration.dataPoint(histogram(pl, c));
        attached.dataPoint(gauge(pl, c.attachedProbes()));
      }
      // The query buffer is the tracepoint's, not a pod's.
      dropped.dataPoint(counter(tl.add("reason", "buffer_evicted"), tp.buffer().evicted()));
      addRows(rows, tp, tl);
      bufferRows.dataPoint(gauge(tl, tp.buffer().size()));
      bufferBytes.dataPoint(gauge(tl, tp.buffer().memoryBytes()));
      if (!Double.isNaN(tp.cpuRatio())) {
        cpuRatio.dataPoint(gauge(tl, tp.cpuRatio()));
        budgetTrips.dataPoint(counter(tl, tp.budgetTrips()));
      }
    }
    return MetricSnapshots.of(
        calls.build(),
        errors.build(),
        dropped.build(),
        cpu.build(),
        runs.build(),
        rows.build(),
        duration.build(),
        attached.build(),
        bufferRows.build(),
        bufferBytes.build(),
        cpuRatio.build(),
        budgetTrips.build());
  }

  /** {@code tracepoint}, and for a node agent's tracepoint {@code namespace} and {@code node}. */
  static Labels labels(StoredTracepoint tp) {
    Placement p = tp.placement();
    if (p == null) return Labels.of("tracepoint", tp.name());
    return Labels.of("namespace", p.namespace(), "node", p.node(), "tracepoint", p.tracepoint());
  }

  private static void addRows(CounterSnapshot.Builder rows, StoredTracepoint tp, Labels tl) {
    LabelCounts labels = tp.labels();
    if (labels == null) {
      rows.dataPoint(counter(tl, tp.buffer().appended()));
      return;
    }
    List<String> names = labels.specs().stream().map(LabelSpec::capture).toList();
    for (Map.Entry<List<String>, Long> e : labels.snapshot().entrySet()) {
      rows.dataPoint(counter(tl.merge(Labels.of(names, e.getKey())), e.getValue()));
    }
  }

  /** The kernel histogram as a classic Prometheus histogram: bounds in seconds, last one +Inf. */
  static HistogramDataPointSnapshot histogram(Labels labels, ProbeCounters c) {
    long[] bounds = c.latencyBucketBoundsNs();
    long[] counts = c.latencyBucketCounts();
    if (counts.length != bounds.length + 1) {
      throw new IllegalStateException(
          "latency histogram has "
              + bounds.length
              + " bounds but "
              + counts.length
              + " counts (want bounds + 1)");
    }
    List<Double> upper = new ArrayList<>(counts.length);
    List<Long> perBucket = new ArrayList<>(counts.length);
    for (int i = 0; i < bounds.length; i++) {
      upper.add(bounds[i] / 1e9);
      perBucket.add(counts[i]);
    }
    upper.add(Double.POSITIVE_INFINITY);
    perBucket.add(counts[bounds.length]);
    return HistogramDataPointSnapshot.builder()
        .labels(labels)
        .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, perBucket))
        .sum(c.latencySumNs() / 1e9)
        .build();
  }

  private static CounterDataPointSnapshot counter(Labels labels, long value) {
    return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  private static GaugeDataPointSnapshot gauge(Labels labels, double value) {
    return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
  }
}
