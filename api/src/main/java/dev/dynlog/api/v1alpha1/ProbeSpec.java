package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** The probe part of a Tracepoint, as handed to node agents (limits with defaults filled in). */
public class ProbeSpec {

  @JsonPropertyDescription("Function to probe (see Tracepoint spec.function).")
  private String function;

  @Size(max = TracepointSpec.MAX_CAPTURES)
  @JsonPropertyDescription("Values to capture (see Tracepoint spec.capture).")
  private List<Capture> capture = new ArrayList<>();

  @JsonPropertyDescription("Measure call duration.")
  private boolean latency;

  @JsonPropertyDescription("Container to probe; empty means all containers of the pod.")
  private String container;

  @JsonPropertyDescription("Process name regular expression; empty means every process.")
  private String processName;

  @JsonPropertyDescription("Effective limits, defaults filled in.")
  private Limits limits;

  @Size(max = TracepointSpec.MAX_METRIC_LABELS)
  @JsonPropertyDescription(
      "Captures counted per value in dynlog_rows_total (see Tracepoint " + "spec.metricLabels).")
  private List<MetricLabel> metricLabels = new ArrayList<>();

  /**
   * The probe part of a Tracepoint's spec as agents receive it: captures and labels copied, the
   * limits with defaults filled in ({@link Limits#effective}).
   */
  public static ProbeSpec of(TracepointSpec spec) {
    ProbeSpec probe = new ProbeSpec();
    probe.setFunction(spec.getFunction());
    List<Capture> captures = spec.getCapture() == null ? List.of() : spec.getCapture();
    probe.setCapture(captures.stream().map(c -> new Capture(c.getName(), c.getExpr())).toList());
    probe.setLatency(Boolean.TRUE.equals(spec.getLatency()));
    if (spec.getTarget() != null) {
      probe.setContainer(spec.getTarget().getContainer());
      probe.setProcessName(spec.getTarget().getProcessName());
    }
    probe.setLimits(Limits.effective(spec.getLimits()));
    List<MetricLabel> labels = spec.getMetricLabels() == null ? List.of() : spec.getMetricLabels();
    probe.setMetricLabels(
        labels.stream().map(l -> new MetricLabel(l.getCapture(), l.effectiveMaxValues())).toList());
    return probe;
  }

  public String getFunction() {
    return function;
  }

  public void setFunction(String function) {
    this.function = function;
  }

  public List<Capture> getCapture() {
    return capture;
  }

  public void setCapture(List<Capture> capture) {
    this.capture = capture;
  }

  public boolean isLatency() {
    return latency;
  }

  public void setLatency(boolean latency) {
    this.latency = latency;
  }

  public String getContainer() {
    return container;
  }

  public void setContainer(String container) {
    this.container = container;
  }

  public String getProcessName() {
    return processName;
  }

  public void setProcessName(String processName) {
    this.processName = processName;
  }

  public Limits getLimits() {
    return limits;
  }

  public void setLimits(Limits limits) {
    this.limits = limits;
  }

  public List<MetricLabel> getMetricLabels() {
    return metricLabels;
  }

  public void setMetricLabels(List<MetricLabel> metricLabels) {
    this.metricLabels = metricLabels;
  }
}
