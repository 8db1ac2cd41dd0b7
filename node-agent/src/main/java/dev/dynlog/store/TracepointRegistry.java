package dev.dynlog.store;

import dev.dynlog.trace.ProbeCounters;
import dev.dynlog.trace.Row;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * All tracepoints of this agent, by name. The tracer {@link #register registers} a tracepoint when
 * it attaches, {@link StoredTracepoint#append appends} its rows, and {@link #stop stops} it when it
 * detaches, <em>before</em> closing its BPF maps (the counters are read one last time then). A
 * stopped tracepoint stays queryable for {@link StoreConfig#retention()}, then disappears.
 */
public final class TracepointRegistry {

  private final StoreConfig config;
  private final Clock clock;
  private final Map<String, StoredTracepoint> tracepoints = new ConcurrentHashMap<>();

  public TracepointRegistry(StoreConfig config) {
    this(config, Clock.systemUTC());
  }

  public TracepointRegistry(StoreConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /**
   * Adds a running tracepoint. A stopped tracepoint of the same name is replaced.
   *
   * @param counters read at scrape time while running; may throw once the tracer tears down
   * @throws IllegalStateException when a running tracepoint already has that name
   */
  public StoredTracepoint register(TracepointInfo info, Supplier<ProbeCounters> counters) {
    sweep();
    StoredTracepoint fresh = new StoredTracepoint(info, config, counters, clock.instant());
    StoredTracepoint previous =
        tracepoints.compute(
            info.name(),
            (name, old) -> {
              if (old != null && old.state() == TracepointState.RUNNING) return old;
              return fresh;
            });
    if (previous != fresh) {
      throw new IllegalStateException(
          "a tracepoint named '"
              + info.name()
              + "' is already running; give this one another name");
    }
    return fresh;
  }

  /** Appends a row to the tracepoint named by {@link Row#tracepoint()}. */
  public void append(Row row) {
    StoredTracepoint tp = tracepoints.get(row.tracepoint());
    if (tp == null)
      throw new IllegalArgumentException("no tracepoint named '" + row.tracepoint() + "'");
    tp.append(row);
  }

  /**
   * Marks a tracepoint stopped ({@link TracepointState#STOPPED} or {@link
   * TracepointState#EXPIRED}), freezing its counters and ending its live follows. Stopping twice is
   * harmless.
   */
  public void stop(String name, TracepointState state, String reason) {
    if (state == TracepointState.RUNNING)
      throw new IllegalArgumentException("stop needs STOPPED or EXPIRED");
    StoredTracepoint tp = tracepoints.get(name);
    if (tp == null) throw new IllegalArgumentException("no tracepoint named '" + name + "'");
    tp.stop(state, reason, clock.instant());
  }

  /** The tracepoint of that name, unless unknown or past its retention. */
  public Optional<StoredTracepoint> find(String name) {
    sweep();
    return Optional.ofNullable(tracepoints.get(name));
  }

  /** Every tracepoint still known, by name. */
  public List<StoredTracepoint> list() {
    sweep();
    return tracepoints.values().stream()
        .sorted(Comparator.comparing(StoredTracepoint::name))
        .toList();
  }

  /** Forgets the tracepoints stopped longer ago than the retention. */
  private void sweep() {
    Instant horizon = clock.instant().minus(config.retention());
    tracepoints.values().removeIf(tp -> tp.stoppedAt() != null && tp.stoppedAt().isBefore(horizon));
  }
}
