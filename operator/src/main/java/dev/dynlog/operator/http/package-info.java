/**
 * The operator's own small HTTP server (JDK {@code HttpServer}, port {@code DYNLOG_HTTP_PORT}):
 * {@link dev.dynlog.operator.http.OperatorHttpServer} serves {@code /metrics} (Prometheus text from
 * the operator's Micrometer registry), {@code /healthz} (informers healthy) and {@code /readyz}
 * (operator started and informers healthy). It knows nothing about Tracepoints: what it reports is
 * handed in as a registry and health suppliers.
 *
 * <p>May use: no other dynlog package. Libraries: JDK {@code com.sun.net.httpserver}, Micrometer
 * (Prometheus registry).
 */
package dev.dynlog.operator.http;
