package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;

/** The processes a Tracepoint probes: selected pods, one of their containers, a process name. */
public class Target {

  /** A container name: a DNS label. */
  public static final String CONTAINER_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  public static final int MAX_CONTAINER_LENGTH = 63;
  public static final int MAX_PROCESS_NAME_LENGTH = 256;

  @Required
  @ValidationRule(
      value =
          "(has(self.matchLabels) && size(self.matchLabels) > 0) || "
              + "(has(self.matchExpressions) && size(self.matchExpressions) > 0)",
      message = "selector must select by at least one label")
  @JsonPropertyDescription(
      "Label selector for the pods to probe, in the Tracepoint's own "
          + "namespace. Must not be empty.")
  private LabelSelector selector;

  @Size(max = MAX_CONTAINER_LENGTH)
  @Pattern(CONTAINER_PATTERN)
  @JsonPropertyDescription(
      "Name of the container to probe in each selected pod. Default: all "
          + "containers of the pod.")
  private String container;

  @Size(max = MAX_PROCESS_NAME_LENGTH)
  @JsonPropertyDescription(
      "Regular expression (Java syntax) matched against the process "
          + "name (comm) or executable path; only matching processes in the containers are probed. "
          + "Default: every process.")
  private String processName;

  public LabelSelector getSelector() {
    return selector;
  }

  public void setSelector(LabelSelector selector) {
    this.selector = selector;
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
}
