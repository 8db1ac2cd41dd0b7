/**
 * Tracing a function of a running process: {@link dev.dynlog.trace.Tracer} (the loaded BPF object
 * and its reader thread), {@link dev.dynlog.trace.Tracepoint} (one traced function: counters,
 * detach), {@link dev.dynlog.trace.Target} (a pid, or every process of the executable),
 * {@link dev.dynlog.trace.TraceOptions} (latency, rate limit, sampling, pairing timeout, histogram
 * bounds, symbolizer), and the shared contracts {@link dev.dynlog.trace.Row} and
 * {@link dev.dynlog.trace.ProbeCounters}.
 *
 * <p>Exact and sampled numbers: {@code ProbeCounters} are counted in the kernel for every call, so
 * calls, returns, errors and the latency histogram are exact whatever the rate limit or sampling;
 * rows are thinned by {@code maxEventsPerSecond} and {@code sampleRatio}. Every call that enters is
 * eventually counted as a return or a pairing eviction (a panic, a longjmp); when every call
 * returns, rows delivered + droppedRingFull + droppedRateLimited == calls, exactly.
 */
package dev.dynlog.trace;
