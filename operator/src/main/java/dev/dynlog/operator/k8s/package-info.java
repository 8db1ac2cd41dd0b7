/**
 * Small Kubernetes helpers the reconciler needs and the client libraries do not offer in the form
 * wanted here: {@link dev.dynlog.operator.k8s.LabelSelectors} evaluates a label selector ({@code
 * matchLabels} and {@code matchExpressions}) against a pod's labels and reports selectors whose
 * operators are invalid; {@link dev.dynlog.operator.k8s.EventRecorder} writes Kubernetes Events
 * about an object (a failure to record one is logged, never fatal). At start, {@link
 * dev.dynlog.operator.k8s.ClusterConfig} finds the client configuration (kubeconfig or service
 * account) and {@link dev.dynlog.operator.k8s.StartupCheck} checks the API server (reachable,
 * credentials accepted, custom resources served, {@link dev.dynlog.operator.k8s.Permission}s
 * granted), turning every problem into a one-line {@link dev.dynlog.operator.k8s.StartupException};
 * {@link dev.dynlog.operator.k8s.Failures} describes a failed request in one line. Nothing here
 * knows dynlog's resources: the caller names them.
 *
 * <p>May use: no other dynlog package. Libraries: fabric8 kubernetes-client, snakeyaml-engine (the
 * YAML parser fabric8 reads kubeconfigs with), SLF4J.
 */
package dev.dynlog.operator.k8s;
