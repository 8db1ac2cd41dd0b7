/**
 * The agent's HTTP server ({@code --http ADDR}): {@code GET /metrics}, {@code GET /healthz} and the
 * JSON query API under {@code /api/v1/tracepoints} and, for a node agent's tracepoints, {@code
 * /api/v1/namespaces/{namespace}/tracepoints} (docs/query-api.md). {@link
 * dev.dynlog.http.AgentHttpServer} runs Jetty's non-blocking connector over a {@code
 * store.TracepointRegistry} and a {@code metrics.DynlogMetrics}, with its limits as constants: a
 * pool of request threads, live follows on an executor of their own, header and idle timeouts, caps
 * on connections per client address and in total. {@link dev.dynlog.http.HttpAddress} parses {@code
 * HOST:PORT}, {@code [IPv6]:PORT} and {@code :PORT} (loopback only). In a node agent the query API
 * answers only bearer tokens a {@link dev.dynlog.http.QueryAuthenticator} allows (the {@code kube}
 * package's TokenReview, behind a {@link dev.dynlog.http.CachedAuthenticator}); {@code /metrics}
 * and {@code /healthz} stay open. Package-private: {@code ConnectionGuard} (counts connections as
 * they are accepted, refuses the excess, closes a connection whose request head does not come in
 * time), {@code RootHandler} (routing, {@code /healthz}, the bearer token check, 401/403/405/503),
 * {@code ApiHandler} (list, describe, and query a tracepoint's rows as JSON or JSONL, with {@code
 * query.QueryParser}), {@code FollowStream} (live follow as chunked JSONL or server-sent events,
 * fed by a {@code store.Subscription}), {@code MetricsHandler}, {@code TracepointJson}, {@code
 * Answer} (whole answers in one non-blocking write), {@code HttpError} and {@code JsonErrorHandler}
 * (every error answer is {@code {"error": ...}} on one line, also for requests Jetty refuses before
 * routing).
 *
 * <p>May use: {@code dev.dynlog.agent}, {@code dev.dynlog.metrics}, {@code dev.dynlog.query},
 * {@code dev.dynlog.store}, {@code dev.dynlog.trace}. Libraries: Jetty ({@code jetty-server}),
 * Jackson.
 */
package dev.dynlog.http;
