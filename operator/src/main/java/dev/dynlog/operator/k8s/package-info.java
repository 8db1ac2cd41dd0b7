/**
 * Small Kubernetes helpers the reconciler needs and the client libraries do not offer in the form
 * wanted here: {@link dev.dynlog.operator.k8s.LabelSelectors} evaluates a label selector ({@code
 * matchLabels} and {@code matchExpressions}) against a pod's labels and reports selectors whose
 * operators are invalid; {@link dev.dynlog.operator.k8s.EventRecorder} writes Kubernetes Events
 * about an object (a failure to record one is logged, never fatal). Nothing here knows dynlog's
 * resources.
 *
 * <p>May use: no other dynlog package. Libraries: fabric8 kubernetes-client, SLF4J.
 */
package dev.dynlog.operator.k8s;
