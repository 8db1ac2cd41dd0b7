package dev.dynlog.agent;

import dev.dynlog.api.v1alpha1.Limits;
import dev.dynlog.api.v1alpha1.MetricLabel;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import dev.dynlog.plan.PlanOptions;
import dev.dynlog.store.LabelSpec;
import dev.dynlog.trace.TraceOptions;
import java.util.List;
import java.util.function.LongFunction;

/**
 * What a {@link ProbeSpec} means to the tracer: the planner's caps and the tracer's options, from
 * the spec's effective limits. Used alike for assignments from the operator and for standalone
 * tracepoints, so both trace the same spec the same way.
 */
public final class ProbeSettings {
  private ProbeSettings() {}

  /**
   * String cap and collection cap from the limits; the other caps are the planner's defaults,
   * including the built-in redaction list (the seam where a policy's list will replace it: {@code
   * withRedaction}).
   */
  public static PlanOptions planOptions(ProbeSpec probe) {
    Limits l = Limits.effective(probe.getLimits());
    return PlanOptions.defaults()
        .withStringCap(l.getMaxStringBytes())
        .withMaxElements(l.getMaxCollectionElements());
  }

  /**
   * Name, latency, rate limit and sampling. A {@code maxEventsPerSecond} of 0, which only {@code
   * dynlog trace --max-events-per-second 0} can give (the spec's bounds start at 1), means
   * unlimited.
   */
  public static TraceOptions traceOptions(
      String name, ProbeSpec probe, LongFunction<String> symbolizer) {
    Limits l = Limits.effective(probe.getLimits());
    return TraceOptions.defaults()
        .withName(name)
        .withLatency(probe.isLatency())
        .withMaxEventsPerSecond(l.getMaxEventsPerSecond())
        .withSampleRatio(l.getSampleRatio())
        .withSymbolizer(symbolizer);
  }

  /** The metric labels as the store counts them. */
  public static List<LabelSpec> labels(ProbeSpec probe) {
    List<MetricLabel> labels =
        probe.getMetricLabels() == null ? List.of() : probe.getMetricLabels();
    return labels.stream().map(m -> new LabelSpec(m.getCapture(), m.effectiveMaxValues())).toList();
  }
}
