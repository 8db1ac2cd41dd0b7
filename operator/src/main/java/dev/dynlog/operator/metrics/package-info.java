/**
 * The operator's own Prometheus metrics, next to java-operator-sdk's reconcile metrics in the same
 * Micrometer registry: {@link dev.dynlog.operator.metrics.OperatorMetrics} keeps {@code
 * dynlog_operator_tracepoints{phase}} (Tracepoints per phase), {@code
 * dynlog_operator_assignment_writes_total{operation}} and {@code
 * dynlog_operator_events_total{type}}. The reconciler reports into it; the operator's HTTP server
 * exposes it.
 *
 * <p>May use: {@code dev.dynlog.api.v1alpha1} (the {@code Phase} enum). Libraries: Micrometer.
 */
package dev.dynlog.operator.metrics;
