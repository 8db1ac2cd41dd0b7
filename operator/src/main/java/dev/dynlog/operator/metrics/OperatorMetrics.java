package dev.dynlog.operator.metrics;

import dev.dynlog.api.v1alpha1.Phase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * dynlog's own operator metrics (JOSDK adds its reconcile metrics to the same registry): {@code
 * dynlog_operator_tracepoints{phase}}, {@code dynlog_operator_assignment_writes_total {operation}}
 * and {@code dynlog_operator_events_total{type}}.
 */
public final class OperatorMetrics {

  private final MeterRegistry registry;
  private final Map<String, Phase> phases = new ConcurrentHashMap<>();
  private final Counter applies;
  private final Counter deletes;

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Phase phase : Phase.values()) {
      Gauge.builder(
              "dynlog.operator.tracepoints",
              phases,
              m -> m.values().stream().filter(p -> p == phase).count())
          .description("Tracepoints by phase, as last reconciled by this operator")
          .tag("phase", phase.name())
          .register(registry);
    }
    applies = writes("apply");
    deletes = writes("delete");
  }

  /** Remembers the phase of a Tracepoint ({@code namespace/name}). */
  public void phase(String key, Phase phase) {
    phases.put(key, phase);
  }

  /** Forgets a deleted Tracepoint. */
  public void forget(String key) {
    phases.remove(key);
  }

  /** Counts a server-side apply of an assignment. */
  public void applied() {
    applies.increment();
  }

  /** Counts deletions of assignments. */
  public void deleted(int count) {
    deletes.increment(count);
  }

  /** Counts a Kubernetes Event written. */
  public void event(String type) {
    Counter.builder("dynlog.operator.events")
        .description("Kubernetes Events recorded")
        .tag("type", type)
        .register(registry)
        .increment();
  }

  private Counter writes(String operation) {
    return Counter.builder("dynlog.operator.assignment.writes")
        .description("TracepointAssignment writes issued")
        .tag("operation", operation)
        .register(registry);
  }
}
