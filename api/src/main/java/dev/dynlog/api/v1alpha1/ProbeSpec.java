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
}
