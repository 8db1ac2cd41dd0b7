package dev.dynlog.store;

import dev.dynlog.trace.ProbeCounters;
import dev.dynlog.trace.Row;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One tracepoint in the store: its description, its row buffer, its life-cycle state, where it
 * comes from in a cluster ({@link #placement()}) and the source of its kernel counters, per pod in
 * a node agent. The tracer appends rows with {@link #append(Row)}; queries read {@link #buffer()};
 * metrics read {@link #podCounters()} at scrape time.
 */
public final class StoredTracepoint {

  private static final ProbeCounters NO_COUNTERS =
      new ProbeCounters(0, 0, 0, new long[0], new long[] {0}, 0, 0, 0, 0, 0, 0, 0, 0);

  private volatile TracepointInfo info;
  private final RowBuffer buffer;
  private final Placement placement;
  private final Supplier<List<PodCounters>> countersSource;
  private final PodSeries series = new PodSeries();
  private volatile LabelCounts labels;
  private final Instant startedAt;
  private volatile TracepointState state = TracepointState.RUNNING;
  private volatile Instant stoppedAt;
  private volatile String stopReason;
  private volatile List<PodCounters> lastCounters = List.of();
  private volatile double cpuRatio = Double.NaN;
  private final AtomicLong budgetTrips = new AtomicLong();

  StoredTracepoint(
      TracepointInfo info,
      Placement placement,
      StoreConfig config,
      StoreBudget budget,
      Supplier<List<PodCounters>> countersSource,
      Instant now) {
    this.info = info;
    this.placement = placement;
    this.buffer = new RowBuffer(config.maxRows(), config.bufferBytes(), budget);
    this.countersSource = countersSource;
    this.labels = info.labels().isEmpty() ? null : new LabelCounts(info.labels());
    this.startedAt = now;
  }

  /** Stores a captured row (called by the tracer's consumer thread). */
  public void append(Row row) {
    buffer.append(row);
    if (labels != null) labels.count(row);
  }

  /**
   * The kernel counters: read from the tracer while running; once stopped, the values read at the
   * moment of stopping. If the tracer's source fails, the last values read are returned.
   */
  public ProbeCounters counters() {
    return PodCounters.total(read(), NO_COUNTERS);
  }

  /**
   * The kernel counters per pod, as metric series: at most {@link PodSeries#MAX_PODS} pods by name,
   * the others summed as {@link PodCounters#OTHER}; they add up to {@link #counters()}. A
   * standalone tracepoint has one entry without a pod.
   */
  public List<PodCounters> podCounters() {
    return series.bound(read());
  }

  /** Reads the source while running; once stopped (or if the source fails), the last values. */
  private List<PodCounters> read() {
    if (state != TracepointState.RUNNING) return lastCounters;
    try {
      List<PodCounters> c = countersSource.get();
      if (c != null) lastCounters = List.copyOf(c);
    } catch (RuntimeException e) {
      // The tracer is tearing down its maps; keep the last values read.
    }
    return lastCounters;
  }

  /** Freezes the counters, records why it stopped and ends every live follow. */
  synchronized void stop(TracepointState newState, String reason, Instant now) {
    if (state != TracepointState.RUNNING) return;
    read();
    stopReason = reason;
    stoppedAt = now;
    state = newState;
    buffer.endSubscriptions();
  }

  /**
   * Runs again after a stop (a node agent's tracepoint whose ttl was renewed), described anew; the
   * rows so far stay, the counters keep counting from where they were.
   */
  synchronized void resume(TracepointInfo newInfo) {
    update(newInfo);
    stopReason = null;
    stoppedAt = null;
    state = TracepointState.RUNNING;
  }

  /**
   * Describes the tracepoint anew (a new generation of its spec: other captures, other labels); its
   * rows so far stay in the buffer.
   */
  public void update(TracepointInfo newInfo) {
    if (!newInfo.name().equals(info.name())) {
      throw new IllegalArgumentException(
          "tracepoint " + info.name() + " cannot be renamed " + newInfo.name());
    }
    if (!newInfo.labels().equals(info.labels())) {
      labels = newInfo.labels().isEmpty() ? null : new LabelCounts(newInfo.labels());
    }
    info = newInfo;
  }

  public TracepointInfo info() {
    return info;
  }

  public String name() {
    return info.name();
  }

  /** The Kubernetes Tracepoint and node it belongs to, or null for a standalone tracepoint. */
  public Placement placement() {
    return placement;
  }

  public RowBuffer buffer() {
    return buffer;
  }

  /** Rows counted per combination of declared label values, or null when none is declared. */
  public LabelCounts labels() {
    return labels;
  }

  public TracepointState state() {
    return state;
  }

  public Instant startedAt() {
    return startedAt;
  }

  /** When it stopped, or null while running. */
  public Instant stoppedAt() {
    return stoppedAt;
  }

  /** Why it stopped ("duration elapsed", "target exited"...), or null while running. */
  public String stopReason() {
    return stopReason;
  }

  /**
   * Estimated fraction of one core the tracepoint's probes cost on this node over the last judged
   * window (uprobe traps plus BPF run time), or NaN where no CPU budget is enforced (standalone).
   */
  public double cpuRatio() {
    return cpuRatio;
  }

  /** Set by the node agent after each judged window of the CPU budget. */
  public void cpuRatio(double ratio) {
    cpuRatio = ratio;
  }

  /** How often the CPU budget detached this tracepoint on this node. */
  public long budgetTrips() {
    return budgetTrips.get();
  }

  /** Counts one trip of the CPU budget. */
  public void budgetTripped() {
    budgetTrips.incrementAndGet();
  }
}
