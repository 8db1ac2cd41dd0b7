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
 * stopped tracepoint stays queryable for {@link StoreConfig#retention()}, then disappears. All
 * buffers together hold at most {@link StoreConfig#totalBytes()} (a {@link StoreBudget}: the
 * largest buffer gives up its oldest rows first), however many tracepoints there are.
 */
public final class TracepointRegistry {

  private final StoreConfig config;
  private final Clock clock;
  private final StoreBudget budget;
  private final Map<String, StoredTracepoint> tracepoints = new ConcurrentHashMap<>();

  public TracepointRegistry(StoreConfig config) {
    this(config, Clock.systemUTC());
  }

  public TracepointRegistry(StoreConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.budget = new StoreBudget(config.totalBytes());
  }

  /** The bounds this registry keeps. */
  public StoreConfig config() {
    return config;
  }

  /** Estimated bytes held by all buffers together; at most {@link StoreConfig#totalBytes()}. */
  public long memoryBytes() {
    return budget.used();
  }

  /**
   * Adds a running tracepoint. A stopped tracepoint of the same name is replaced.
   *
   * @param counters read at scrape time while running; may throw once the tracer tears down
   * @throws IllegalStateException when a running tracepoint already has that name
   */
  public StoredTracepoint register(TracepointInfo info, Supplier<ProbeCounters> counters) {
    return register(
        info,
        null,
        () -> {
          ProbeCounters c = counters.get();
          return c == null ? null : List.of(new PodCounters(null, c));
        });
  }

  /**
   * Adds a running tracepoint of a node agent, stored under {@link Placement#key()} (which must be
   * {@code info.name()}), with its counters per pod. A stopped tracepoint of the same name is
   * replaced.
   *
   * @param placement the Kubernetes Tracepoint and node, or null for a standalone tracepoint
   * @param counters read at scrape time while running, one entry per pod (never fewer pods than
   *     before, so that every series only grows); may throw once the tracer tears down
   * @throws IllegalStateException when a running tracepoint already has that name
   */
  public StoredTracepoint register(
      TracepointInfo info, Placement placement, Supplier<List<PodCounters>> counters) {
    if (placement != null && !placement.key().equals(info.name())) {
      throw new IllegalArgumentException(
          "tracepoint '" + info.name() + "' must be stored as '" + placement.key() + "'");
    }
    sweep();
    StoredTracepoint[] replaced = new StoredTracepoint[1];
    StoredTracepoint[] fresh = new StoredTracepoint[1];
    tracepoints.compute(
        info.name(),
        (name, old) -> {
          if (old != null && old.state() == TracepointState.RUNNING) return old;
          replaced[0] = old;
          fresh[0] =
              new StoredTracepoint(info, placement, config, budget, counters, clock.instant());
          return fresh[0];
        });
    if (fresh[0] == null) {
      throw new IllegalStateException(
          "a tracepoint named '"
              + info.name()
              + "' is already running; give this one another name");
    }
    if (replaced[0] != null) budget.leave(replaced[0].buffer());
    return fresh[0];
  }

  /**
   * Runs a stopped tracepoint again under a new description, keeping its rows (a node agent's
   * tracepoint whose ttl was renewed).
   *
   * @throws IllegalArgumentException when there is no tracepoint of that name (or it is past its
   *     retention)
   */
  public StoredTracepoint resume(String name, TracepointInfo info) {
    StoredTracepoint tp =
        find(name)
            .orElseThrow(() -> new IllegalArgumentException("no tracepoint named '" + name + "'"));
    tp.resume(info);
    return tp;
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

  /** The placed tracepoints of a namespace still known, by name (none: an empty list). */
  public List<StoredTracepoint> list(String namespace) {
    return list().stream()
        .filter(tp -> tp.placement() != null && tp.placement().namespace().equals(namespace))
        .toList();
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
    tracepoints
        .values()
        .removeIf(
            tp -> {
              if (tp.stoppedAt() == null || !tp.stoppedAt().isBefore(horizon)) return false;
              budget.leave(tp.buffer());
              return true;
            });
  }
}
