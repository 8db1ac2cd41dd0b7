package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** What the node agent did with an assignment. Written only by the agent. */
@JsonClassDescription(
    "Written only by the node agent: the state of the probe in each pod (Pending, Attached or "
        + "Failed, with a message), for the spec generation named by observedGeneration.")
public class TracepointAssignmentStatus {

  @JsonPropertyDescription(
      "The assignment's metadata.generation the agent has applied; pod "
          + "states of older generations are treated as Pending.")
  private Long observedGeneration;

  @JsonPropertyDescription("Per-pod probe state.")
  private List<PodProbeStatus> pods = new ArrayList<>();

  @JsonPropertyDescription(
      "Where the node agent serves its query API (e.g. http://10.0.0.5:9464): the aggregated "
          + "query API reads this node's rows there.")
  private String agent;

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

  public String getAgent() {
    return agent;
  }

  public void setAgent(String agent) {
    this.agent = agent;
  }
}
