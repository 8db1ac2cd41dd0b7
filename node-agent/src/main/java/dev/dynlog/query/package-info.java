/**
 * Queries over one tracepoint's stored rows, as the HTTP API and {@code dynlog events} express them
 * (docs/query-api.md). {@link dev.dynlog.query.QueryParser} builds a {@link dev.dynlog.query.Query}
 * from URL parameters ({@code since}, {@code until}, {@code limit}, {@code order}, {@code pid},
 * {@code min_latency}, {@code where}), with {@link dev.dynlog.query.Timestamps} and {@link
 * dev.dynlog.query.Durations} for the time forms; {@link dev.dynlog.query.Where} is one predicate
 * {@code PATH OP VALUE} on a captured value ({@link dev.dynlog.query.CapturePath}, {@link
 * dev.dynlog.query.Op}), exact for numbers up to uint64; {@link dev.dynlog.query.QueryEngine} runs
 * a query over a snapshot of a {@code store.RowBuffer}. Every malformed input is a {@link
 * dev.dynlog.query.BadQueryException} whose message says what is wrong and what is accepted. Input
 * is bounded (value lengths, the number of {@code where}, a path's steps and length, the limit) and
 * parsed without recursion, so no query can exhaust the stack; messages quote at most a short
 * excerpt of what was sent.
 *
 * <p>May use: {@code dev.dynlog.store}, {@code dev.dynlog.trace}.
 */
package dev.dynlog.query;
