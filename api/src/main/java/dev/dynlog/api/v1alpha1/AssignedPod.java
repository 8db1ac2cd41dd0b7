package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A pod an agent must probe: its identity and the runtime IDs of the containers to probe. */
public class AssignedPod {

  @JsonPropertyDescription("Pod name.")
  private String name;

  @JsonPropertyDescription("Pod UID; a re-created pod with the same name has a new UID.")
  private String uid;

  @JsonPropertyDescription(
      "Runtime IDs of the containers to probe, as in the pod status "
          + "(e.g. 'containerd://4f1c...'); they change when a container restarts.")
  private List<String> containerIDs = new ArrayList<>();

  @JsonPropertyDescription(
      "Name of each container to probe, by runtime ID (rows and metrics name the container).")
  private Map<String, String> containerNames = new TreeMap<>();

  public AssignedPod() {}

  public AssignedPod(String name, String uid, List<String> containerIDs) {
    this.name = name;
    this.uid = uid;
    this.containerIDs = containerIDs;
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

  public List<String> getContainerIDs() {
    return containerIDs;
  }

  public void setContainerIDs(List<String> containerIDs) {
    this.containerIDs = containerIDs;
  }

  public Map<String, String> getContainerNames() {
    return containerNames;
  }

  public void setContainerNames(Map<String, String> containerNames) {
    this.containerNames = containerNames;
  }
}
