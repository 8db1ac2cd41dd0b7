/**
 * The Kubernetes API of dynlog, version {@code dynlog.dev/v1alpha1}: the Java model of the two
 * custom resources, from which fabric8's crd-generator writes {@code crds/*.yml} (and the Helm
 * chart's copy; {@code CrdFilesUpToDateTest} fails when they differ). The operator and the node
 * agent both use this model, and {@code dynlog run -f} reads the same spec.
 *
 * <p>Main types: {@link dev.dynlog.api.v1alpha1.Tracepoint} (the user's question: spec {@link
 * dev.dynlog.api.v1alpha1.TracepointSpec} with {@link dev.dynlog.api.v1alpha1.Target}, {@link
 * dev.dynlog.api.v1alpha1.Capture}, {@link dev.dynlog.api.v1alpha1.Limits}, {@link
 * dev.dynlog.api.v1alpha1.MetricLabel}, {@link dev.dynlog.api.v1alpha1.Ttl}; status {@link
 * dev.dynlog.api.v1alpha1.TracepointStatus}, written by the operator only) and {@link
 * dev.dynlog.api.v1alpha1.TracepointAssignment} (the work order for one node: spec with a {@link
 * dev.dynlog.api.v1alpha1.ProbeSpec} and the {@link dev.dynlog.api.v1alpha1.AssignedPod}s, written
 * by the operator; status with one {@link dev.dynlog.api.v1alpha1.PodProbeStatus} per pod, written
 * by the agent). {@link dev.dynlog.api.v1alpha1.SpecChecks} holds the checks every reader of a spec
 * applies (schema bounds repeated, expression syntax, process-name regex, ttl, labels), returning
 * {@link dev.dynlog.api.v1alpha1.SpecProblem}s; the schema annotations on the model and these
 * checks use the same constants, so the API server, the operator and {@code dynlog run -f} accept
 * the same specs.
 *
 * <p>May use: {@code dev.dynlog.api.expr}. Libraries: fabric8 kubernetes-model and crd-generator
 * annotations, Jackson.
 */
package dev.dynlog.api.v1alpha1;
