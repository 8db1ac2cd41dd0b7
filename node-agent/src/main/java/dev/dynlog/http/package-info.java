/**
 * The agent's HTTP server ({@code --http ADDR}): {@code GET /metrics} and the JSON query API under
 * {@code /api/v1/tracepoints} (docs/query-api.md). {@link dev.dynlog.http.AgentHttpServer} runs a
 * JDK {@code HttpServer} on a bounded pool (at most 8 live follows, so plain queries always have
 * threads) over a {@code store.TracepointRegistry} and a {@code metrics.DynlogMetrics}; {@link
 * dev.dynlog.http.HttpAddress} parses {@code HOST:PORT}, {@code [IPv6]:PORT} and {@code :PORT}.
 * Package-private: {@code ApiHandler} (list, describe, and query a tracepoint's rows as JSON or
 * JSONL, with {@code query.QueryParser}), {@code FollowStream} (live follow as chunked JSONL or
 * server-sent events, fed by a {@code store.Subscription}), {@code MetricsHandler}, {@code
 * TracepointJson} and {@code HttpError} (every error answer is {@code {"error": ...}}).
 *
 * <p>May use: {@code dev.dynlog.agent}, {@code dev.dynlog.metrics}, {@code dev.dynlog.query},
 * {@code dev.dynlog.store}, {@code dev.dynlog.trace}. Libraries: JDK {@code
 * com.sun.net.httpserver}, Jackson.
 */
package dev.dynlog.http;
