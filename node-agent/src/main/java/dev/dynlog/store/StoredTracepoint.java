package dev.dynlog.store;

import dev.dynlog.trace.ProbeCounters;
import dev.dynlog.trace.Row;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One tracepoint in the store: its description, its row buffer, its life-cycle state and the source
 * of its kernel counters. The tracer appends rows with {@link #append(Row)}; queries read {@link
 * #buffer()}; metrics read {@link #counters()} at scrape time.
 */
public final class StoredTracepoint {

  private static final ProbeCounters NO_COUNTERS =
      new ProbeCounters(0, 0, 0, new long[0], new long[] {0}, 0, 0, 0, 0, 0, 0, 0, 0);

  private volatile TracepointInfo info;
  private final RowBuffer buffer;
  private final Supplier<ProbeCounters> countersSource;
  private volatile LabelCounts labels;
  private final Instant startedAt;
  private volatile TracepointState state = TracepointState.RUNNING;
  private volatile Instant stoppedAt;
  private volatile String stopReason;
  private volatile ProbeCounters lastCounters = NO_COUNTERS;
  private volatile double cpuRatio = Double.NaN;
  private final AtomicLong budgetTrips = new AtomicLong();

  StoredTracepoint(
      TracepointInfo info,
      StoreConfig config,
      StoreBudget budget,
      Supplier<ProbeCounters> countersSource,
      Instant now) {
    this.info = info;
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
    if (state != TracepointState.RUNNING) return lastCounters;
    try {
      ProbeCounters c = countersSource.get();
      if (c != null) lastCounters = c;
    } catch (RuntimeException e) {
      // The tracer is tearing down its maps; keep the last values read.
    }
    return lastCounters;
  }

  /** Freezes the counters, records why it stopped and ends every live follow. */
  synchronized void stop(TracepointState newState, String reason, Instant now) {
    if (state != TracepointState.RUNNING) return;
    counters();
    stopReason = reason;
    stoppedAt = now;
    state = newState;
    buffer.endSubscriptions();
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
