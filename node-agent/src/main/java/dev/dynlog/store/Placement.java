package dev.dynlog.store;

/**
 * Where a tracepoint of a node agent comes from: the Kubernetes {@code Tracepoint} (namespace and
 * name) and the node whose probes it holds. A standalone tracepoint ({@code dynlog trace}, {@code
 * dynlog run}) has none. Metrics carry these as the labels {@code namespace}, {@code tracepoint}
 * and {@code node}; the query API addresses the tracepoint as {@code
 * /api/v1/namespaces/{namespace}/tracepoints/{tracepoint}}.
 *
 * @param namespace the Tracepoint's namespace
 * @param tracepoint the Tracepoint's name, without the namespace
 * @param node the node this agent runs on
 */
public record Placement(String namespace, String tracepoint, String node) {

  public Placement {
    if (namespace == null || namespace.isEmpty())
      throw new IllegalArgumentException("a placement needs a namespace");
    if (tracepoint == null || tracepoint.isEmpty())
      throw new IllegalArgumentException("a placement needs a tracepoint name");
    if (node == null || node.isEmpty())
      throw new IllegalArgumentException("a placement needs a node name");
  }

  /** The name the registry stores a placed tracepoint under: {@code namespace/tracepoint}. */
  public static String key(String namespace, String tracepoint) {
    return namespace + "/" + tracepoint;
  }

  /** {@link #key(String, String)} of this placement. */
  public String key() {
    return key(namespace, tracepoint);
  }
}
