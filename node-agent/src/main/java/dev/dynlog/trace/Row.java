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
 * @param source where the call ran in a cluster (namespace, pod, container, node), or null outside
 *     Kubernetes
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
    Map<String, String> errors,
    Source source) {

  /** A row of a process outside Kubernetes. */
  public Row(
      String tracepoint,
      long epochNanos,
      int pid,
      int tid,
      long goid,
      String function,
      long latencyNs,
      Map<String, Object> captures,
      Map<String, String> errors) {
    this(tracepoint, epochNanos, pid, tid, goid, function, latencyNs, captures, errors, null);
  }

  /**
   * Where a call ran in a cluster.
   *
   * @param namespace the pod's namespace
   * @param pod the pod's name
   * @param container the container's name
   * @param node the node's name
   */
  public record Source(String namespace, String pod, String container, String node) {}
}
