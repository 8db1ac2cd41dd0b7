package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** What the node agent did with an assignment. Written only by the agent. */
public class TracepointAssignmentStatus {

  @JsonPropertyDescription(
      "The assignment's metadata.generation the agent has applied; pod "
          + "states of older generations are treated as Pending.")
  private Long observedGeneration;

  @JsonPropertyDescription("Per-pod probe state.")
  private List<PodProbeStatus> pods = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<PodProbeStatus> getPods() {
    return pods;
  }

  public void setPods(List<PodProbeStatus> pods) {
    this.pods = pods;
  }
}
