package dev.dynlog.api.v1alpha1;

/** Summary state of a Tracepoint, shown in {@code kubectl get tracepoints}. */
public enum Phase {
  /** Assignments written; waiting for node agents to attach. */
  Pending,
  /** Every selected running pod has the probe attached. */
  Active,
  /** At least one selected pod failed to attach (see status.pods and the Ready condition). */
  Degraded,
  /** No running pod matches the selector (and container); nothing to probe yet. */
  NoTargets,
  /** The spec has a problem only the operator can detect (expression syntax, regex). */
  Invalid,
  /** The ttl elapsed; probes are detached. Change the spec to renew. */
  Expired
}
