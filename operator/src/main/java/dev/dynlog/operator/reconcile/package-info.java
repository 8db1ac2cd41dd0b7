/**
 * How the operator turns a {@code Tracepoint} into work for node agents and their reports back into
 * the Tracepoint's status. {@link dev.dynlog.operator.reconcile.TracepointReconciler} (the one
 * java-operator-sdk reconciler, with a finalizer) runs, per reconcile: {@link
 * dev.dynlog.operator.reconcile.SpecValidator} (the shared {@code SpecChecks} plus the pod
 * selector) and {@link dev.dynlog.operator.reconcile.TtlWindow} (ttl counted from the last spec
 * change); {@link dev.dynlog.operator.reconcile.AssignmentPlanner} (pure: probeable selected pods,
 * grouped by node into one desired {@code TracepointAssignment} each, whose probe is {@code
 * ProbeSpec.of(spec)}, named by {@link dev.dynlog.operator.reconcile.AssignmentNames}); the sync by
 * server-side apply; then {@link dev.dynlog.operator.reconcile.StatusAggregator} (agents' reports
 * that match the assignment's current generation) and {@link
 * dev.dynlog.operator.reconcile.StatusBuilder} (phase, conditions Valid/Ready/Expired) from an
 * {@link dev.dynlog.operator.reconcile.Outcome}. The operator never writes a spec; see
 * docs/operator.md for the full behaviour.
 *
 * <p>May use: {@code dev.dynlog.api.v1alpha1}, {@code dev.dynlog.operator.k8s}, {@code
 * dev.dynlog.operator.metrics}. Libraries: java-operator-sdk, fabric8 kubernetes-client, Jackson,
 * SLF4J.
 */
package dev.dynlog.operator.reconcile;
