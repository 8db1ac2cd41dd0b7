package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The agent's report for one assigned pod. */
public class PodProbeStatus {

  @JsonPropertyDescription("Pod name.")
  private String name;

  @JsonPropertyDescription("Pod UID, as in the assignment spec.")
  private String uid;

  @JsonPropertyDescription("Pending, Attached or Failed.")
  private PodState state;

  @JsonPropertyDescription("Details, e.g. why attaching failed.")
  private String message;

  @JsonPropertyDescription(
      "Why the pod is in this state, as a CamelCase word when the agent has a specific one "
          + "(e.g. CpuBudgetExceeded); the operator's Warning Event carries it. Unset otherwise.")
  private String reason;

  public PodProbeStatus() {}

  public PodProbeStatus(String name, String uid, PodState state, String message) {
    this.name = name;
    this.uid = uid;
    this.state = state;
    this.message = message;
  }

  public PodProbeStatus(String name, String uid, PodState state, String message, String reason) {
    this(name, uid, state, message);
    this.reason = reason;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getUid() {
    return uid;
  }

  public void setUid(String uid) {
    this.uid = uid;
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

  @Override
  public boolean equals(Object o) {
    return o instanceof PodProbeStatus p
        && Objects.equals(name, p.name)
        && Objects.equals(uid, p.uid)
        && state == p.state
        && Objects.equals(message, p.message)
        && Objects.equals(reason, p.reason);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, uid, state, message, reason);
  }
}
