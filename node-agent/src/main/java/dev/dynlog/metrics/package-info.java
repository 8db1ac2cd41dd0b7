/**
 * The agent's Prometheus metrics. {@link dev.dynlog.metrics.DynlogMetrics} owns one Micrometer
 * Prometheus registry with the JVM and process binders and the package-private {@code
 * TracepointCollector}, which builds the {@code dynlog_*} series at scrape time from each stored
 * tracepoint's kernel counters ({@code trace.ProbeCounters}: calls, errors, the latency histogram
 * bucket for bucket, drops by reason, probe CPU time and runs, attached uprobes) and the store's
 * own counts (rows, buffer size, declared label values). Labels are only {@code tracepoint}, {@code
 * reason} for drops and the declared low-cardinality labels on {@code dynlog_rows_total}; no other
 * captured value becomes a label. The metric list is in docs/query-api.md.
 *
 * <p>May use: {@code dev.dynlog.store}, {@code dev.dynlog.trace}. Libraries: Micrometer, Prometheus
 * Java client.
 */
package dev.dynlog.metrics;
