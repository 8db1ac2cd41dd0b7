package dev.dynlog.api.v1alpha1;

/** State of a probe in one pod, reported by the node agent. */
public enum PodState {
  /** Not yet attached (agent has not acted on the current assignment). */
  Pending,
  /** Probe attached in every process of the pod that matches the target. */
  Attached,
  /** Attaching failed; the message says why. */
  Failed
}
