package dev.dynlog.agent;

import dev.dynlog.plan.Capture;
import dev.dynlog.store.LabelSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One standalone tracepoint to run: what {@code dynlog trace} options or one document of a
 * {@code dynlog run -f} spec file say.
 *
 * @param name the tracepoint's name (defaults to the function name)
 * @param pid the process to trace, or -1 when {@code executable} is given
 * @param executable the binary whose processes (present and future) are traced, or null
 * @param function the function's qualified name
 * @param captures the values to capture, in order
 * @param latency measure each call's latency
 * @param ttl how long to trace; null = until stopped
 * @param maxEventsPerSecond rows per second at most (0 = unlimited); calls are still counted
 * @param sampleRatio fraction of calls that emit rows, (0, 1]
 * @param maxStringBytes bytes copied at most per string value
 * @param labels captures counted per value in metrics (low-cardinality, capped)
 */
public record TracepointRequest(
    String name,
    int pid,
    Path executable,
    String function,
    List<Capture> captures,
    boolean latency,
    Duration ttl,
    long maxEventsPerSecond,
    double sampleRatio,
    int maxStringBytes,
    List<LabelSpec> labels) {

  public TracepointRequest {
    if ((pid > 0) == (executable != null)) {
      throw new IllegalArgumentException("give exactly one target: a pid or an executable");
    }
    if (function == null || function.isBlank()) throw new IllegalArgumentException("no function given");
    captures = List.copyOf(captures);
    labels = List.copyOf(labels);
    for (LabelSpec l : labels) {
      if (captures.stream().noneMatch(c -> c.name().equals(l.capture()))) {
        throw new IllegalArgumentException("label '" + l.capture() + "' is not a capture; captures are "
            + captures.stream().map(Capture::name).toList());
      }
    }
    if (name == null || name.isBlank()) name = function;
  }

  /** The binary to read debug information from: the executable, or the process's /proc/PID/exe. */
  public Path binary() {
    return executable != null ? executable : Path.of("/proc/" + pid + "/exe");
  }

  /** What is traced, for people. */
  public String targetDescription() {
    return executable != null ? executable.toString() : "pid " + pid;
  }
}
