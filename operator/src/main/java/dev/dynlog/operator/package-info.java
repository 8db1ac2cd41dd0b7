/**
 * The dynlog operator process: wiring and entry point. {@link dev.dynlog.operator.OperatorMain} is
 * the Deployment's {@code main} (settings from the environment, the client configuration, a check
 * of the API server against {@link dev.dynlog.operator.RequiredAccess} — the CRDs and the Helm
 * chart's RBAC rules — then the operator; a problem ends the process with one line); {@link
 * dev.dynlog.operator.DynlogOperator} assembles the java-operator-sdk {@code Operator} with the one
 * reconciler ({@code reconcile.TracepointReconciler}), leader election through a Lease, the
 * Micrometer registry and the HTTP endpoints; {@link dev.dynlog.operator.OperatorSettings} holds
 * what the environment configures ({@code DYNLOG_NAMESPACES}, {@code DYNLOG_LEADER_ELECTION},
 * {@code DYNLOG_LEASE_NAMESPACE}, {@code DYNLOG_HTTP_PORT}, {@code DYNLOG_STARTUP_TIMEOUT}, ...).
 * The operator's behaviour itself lives in the {@code reconcile} subpackage; see docs/operator.md.
 *
 * <p>May use: {@code dev.dynlog.operator.http}, {@code dev.dynlog.operator.k8s}, {@code
 * dev.dynlog.operator.metrics}, {@code dev.dynlog.operator.reconcile}. Libraries:
 * java-operator-sdk, fabric8 kubernetes-client, Micrometer (Prometheus registry), SLF4J.
 */
package dev.dynlog.operator;
