package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One selected pod as shown in the Tracepoint's status. */
public class PodReport {

  @JsonPropertyDescription("Pod name.")
  private String pod;

  @JsonPropertyDescription("Node the pod runs on.")
  private String node;

  @JsonPropertyDescription("Pending, Attached or Failed.")
  private PodState state;

  @JsonPropertyDescription("Why the probe failed or is pending, from the node agent.")
  private String message;

  @JsonPropertyDescription(
      "The node agent's reason for this state when it has a specific one, e.g. CpuBudgetExceeded"
          + " (limits.maxCpuPercent); unset otherwise.")
  private String reason;

  public PodReport() {}

  public PodReport(String pod, String node, PodState state, String message) {
    this.pod = pod;
    this.node = node;
    this.state = state;
    this.message = message;
  }

  public PodReport(String pod, String node, PodState state, String message, String reason) {
    this(pod, node, state, message);
    this.reason = reason;
  }

  public String getPod() {
    return pod;
  }

  public void setPod(String pod) {
    this.pod = pod;
  }

  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
  }

  public PodState getState() {
    return state;
  }

  public void setState(PodState state) {
    this.state = state;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }
}
