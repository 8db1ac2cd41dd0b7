package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Progress of a Tracepoint, written only by the operator. */
@JsonClassDescription(
    "Progress, written only by the operator: phase, the conditions Valid, Ready and Expired, "
        + "when the probes expire, how many selected pods have the probe attached or failed, and "
        + "per-pod states.")
public class TracepointStatus {

  /** Most pods listed in {@link #getPods()}; failed pods are listed first. */
  public static final int MAX_POD_REPORTS = 50;

  @JsonPropertyDescription("Pending, Active, Degraded, NoTargets, Invalid or Expired.")
  private Phase phase;

  @JsonPropertyDescription("Conditions Valid, Ready and Expired, with reason and message.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "When the operator first saw the current spec generation; the ttl " + "counts from here.")
  private String specChangedAt;

  @JsonPropertyDescription("When the probes are detached (RFC 3339), unless the spec changes.")
  private String expiresAt;

  @JsonPropertyDescription("Running pods selected by the target.")
  private Integer desiredPods;

  @JsonPropertyDescription("Selected pods whose node agent reports the probe attached.")
  private Integer attachedPods;

  @JsonPropertyDescription("Selected pods whose node agent reports a failure.")
  private Integer failedPods;

  @Size(max = MAX_POD_REPORTS)
  @JsonPropertyDescription("Per-pod state, failed pods first, at most 50 entries.")
  private List<PodReport> pods = new ArrayList<>();

  @JsonPropertyDescription("Selected pods left out of the pods list because of its size cap.")
  private Integer omittedPods;

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getSpecChangedAt() {
    return specChangedAt;
  }

  public void setSpecChangedAt(String specChangedAt) {
    this.specChangedAt = specChangedAt;
  }

  public String getExpiresAt() {
    return expiresAt;
  }

  public void setExpiresAt(String expiresAt) {
    this.expiresAt = expiresAt;
  }

  public Integer getDesiredPods() {
    return desiredPods;
  }

  public void setDesiredPods(Integer desiredPods) {
    this.desiredPods = desiredPods;
  }

  public Integer getAttachedPods() {
    return attachedPods;
  }

  public void setAttachedPods(Integer attachedPods) {
    this.attachedPods = attachedPods;
  }

  public Integer getFailedPods() {
    return failedPods;
  }

  public void setFailedPods(Integer failedPods) {
    this.failedPods = failedPods;
  }

  public List<PodReport> getPods() {
    return pods;
  }

  public void setPods(List<PodReport> pods) {
    this.pods = pods;
  }

  public Integer getOmittedPods() {
    return omittedPods;
  }

  public void setOmittedPods(Integer omittedPods) {
    this.omittedPods = omittedPods;
  }
}
