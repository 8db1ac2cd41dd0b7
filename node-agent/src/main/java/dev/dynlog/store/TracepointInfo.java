package dev.dynlog.store;

import java.util.List;

/**
 * What a tracepoint is, as shown by the query API: fixed when the tracer registers it.
 *
 * @param name the tracepoint's name (its {@code --name}, or the function name)
 * @param function the traced function's qualified name
 * @param target what is traced, for people ("pid 1234", "/usr/bin/server", "pod ns/name")
 * @param captures names of the captured values, in spec order
 * @param latency whether latency is measured
 * @param labels captures declared as low-cardinality metric labels
 * @param whereGuard which captured values a query may not filter on (redacted ones)
 */
public record TracepointInfo(
    String name,
    String function,
    String target,
    List<String> captures,
    boolean latency,
    List<LabelSpec> labels,
    WhereGuard whereGuard) {

  public TracepointInfo {
    if (name == null || name.isBlank())
      throw new IllegalArgumentException("tracepoint name is empty");
    captures = List.copyOf(captures);
    labels = List.copyOf(labels);
    if (whereGuard == null) whereGuard = WhereGuard.NONE;
    for (LabelSpec label : labels) {
      if (!captures.contains(label.capture())) {
        throw new IllegalArgumentException(
            "tracepoint '"
                + name
                + "': label '"
                + label.capture()
                + "' is not a capture; captures are "
                + captures);
      }
    }
  }

  /** A tracepoint whose values may all be filtered on. */
  public TracepointInfo(
      String name,
      String function,
      String target,
      List<String> captures,
      boolean latency,
      List<LabelSpec> labels) {
    this(name, function, target, captures, latency, labels, WhereGuard.NONE);
  }
}
