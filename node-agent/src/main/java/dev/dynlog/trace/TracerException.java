package dev.dynlog.trace;

import dev.dynlog.bpf.BpfException;

/**
 * Tracing cannot start or continue. The message is one line saying what failed and why; {@link
 * #details()} has libbpf's log lines (e.g. the verifier's) when the kernel refused something.
 */
public class TracerException extends Exception {
  public TracerException(String message) {
    super(message);
  }

  public TracerException(String message, Throwable cause) {
    super(message, cause);
  }

  /** libbpf's log lines about the failure, or "". */
  public String details() {
    return getCause() instanceof BpfException b ? b.details() : "";
  }
}
