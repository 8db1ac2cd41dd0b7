package dev.dynlog.agent;

import dev.dynlog.api.redact.Redaction;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A tracepoint run by the agent alone ({@code dynlog trace}, {@code dynlog run -f}): the probe of
 * the Tracepoint resource's spec ({@link ProbeSpec}, limits with defaults filled in), aimed at one
 * process or at every process of an executable instead of at pods.
 *
 * @param name the tracepoint's name in rows, metrics and queries (defaults to the function)
 * @param pid the process to trace, or -1 when {@code executable} is given
 * @param executable the binary whose processes (present and future) are traced, or null
 * @param probe function, captures, latency, effective limits, metric labels
 * @param ttl how long to trace; null = until stopped
 * @param duration true when {@code ttl} is a requested duration ({@code dynlog trace --duration}):
 *     when it elapses the tracepoint is {@code stopped}; false when it is the spec's ttl, whose end
 *     makes it {@code expired}
 * @param redaction the names whose values are never read ({@link Redaction#defaults()} unless
 *     {@code --no-redact} gives {@link Redaction#none()})
 */
public record StandaloneTracepoint(
    String name,
    int pid,
    Path executable,
    ProbeSpec probe,
    Duration ttl,
    boolean duration,
    Redaction redaction) {

  public StandaloneTracepoint {
    if (executable == null && pid <= 0) {
      throw new IllegalArgumentException("pid must be a positive process id, not " + pid);
    }
    if (pid > 0 && executable != null) {
      throw new IllegalArgumentException("give exactly one target: a pid or an executable");
    }
    if (probe == null || probe.getFunction() == null || probe.getFunction().isBlank()) {
      throw new IllegalArgumentException("no function given");
    }
    if (probe.getLimits() == null)
      throw new IllegalArgumentException("the probe's limits are not filled in");
    if (name == null || name.isBlank()) name = probe.getFunction();
    if (redaction == null) redaction = Redaction.defaults();
  }

  /** A tracepoint with the built-in redaction list. */
  public StandaloneTracepoint(
      String name, int pid, Path executable, ProbeSpec probe, Duration ttl, boolean duration) {
    this(name, pid, executable, probe, ttl, duration, Redaction.defaults());
  }

  /** This tracepoint with {@code r} as its redaction list. */
  public StandaloneTracepoint withRedaction(Redaction r) {
    return new StandaloneTracepoint(name, pid, executable, probe, ttl, duration, r);
  }

  /** A tracepoint of a spec: it expires when its ttl elapses. */
  public StandaloneTracepoint(
      String name, int pid, Path executable, ProbeSpec probe, Duration ttl) {
    this(name, pid, executable, probe, ttl, false);
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
