package dev.dynlog.trace;

import java.util.Map;

/**
 * One captured call: the unit that the tracer produces, the ring buffer stores, queries return and
 * {@code --output jsonl} prints.
 *
 * @param tracepoint the tracepoint's name (its --name, or the function name)
 * @param epochNanos wall-clock time of the call's entry, nanoseconds since the Unix epoch
 * @param pid process id (tgid)
 * @param tid thread id
 * @param goid goroutine id, or -1 for non-Go targets
 * @param function qualified function name
 * @param latencyNs call latency in nanoseconds, or -1 when latency was not requested or unknown
 * @param captures capture name to value: Long/BigInteger, Double, String, Boolean, Map, List or
 *     null
 * @param errors capture name to message, for values that could not be read
 */
public record Row(
    String tracepoint,
    long epochNanos,
    int pid,
    int tid,
    long goid,
    String function,
    long latencyNs,
    Map<String, Object> captures,
    Map<String, String> errors) {}
