package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/** The probe to apply and the pods of one node to apply it to. Written only by the operator. */
@JsonClassDescription(
    "Written only by the operator: the node, the Tracepoint and its generation, the probe to "
        + "attach (function, captures, limits), the pods and container IDs, and when to detach "
        + "(expiresAt).")
public class TracepointAssignmentSpec {

  @Required
  @JsonPropertyDescription("Name of the owning Tracepoint (same namespace).")
  private String tracepoint;

  @JsonPropertyDescription("The Tracepoint's metadata.generation this assignment reflects.")
  private Long tracepointGeneration;

  @Required
  @JsonPropertyDescription("Node whose agent executes this assignment.")
  private String nodeName;

  @JsonPropertyDescription("When the agent must detach even without hearing from the operator.")
  private String expiresAt;

  @Required
  @JsonPropertyDescription("The probe: function, captures, latency, limits, container, process.")
  private ProbeSpec probe;

  @JsonPropertyDescription("Selected running pods on this node.")
  private List<AssignedPod> pods = new ArrayList<>();

  public String getTracepoint() {
    return tracepoint;
  }

  public void setTracepoint(String tracepoint) {
    this.tracepoint = tracepoint;
  }

  public Long getTracepointGeneration() {
    return tracepointGeneration;
  }

  public void setTracepointGeneration(Long tracepointGeneration) {
    this.tracepointGeneration = tracepointGeneration;
  }

  public String getNodeName() {
    return nodeName;
  }

  public void setNodeName(String nodeName) {
    this.nodeName = nodeName;
  }

  public String getExpiresAt() {
    return expiresAt;
  }

  public void setExpiresAt(String expiresAt) {
    this.expiresAt = expiresAt;
  }

  public ProbeSpec getProbe() {
    return probe;
  }

  public void setProbe(ProbeSpec probe) {
    this.probe = probe;
  }

  public List<AssignedPod> getPods() {
    return pods;
  }

  public void setPods(List<AssignedPod> pods) {
    this.pods = pods;
  }
}
