package dev.dynlog.bpf;

/**
 * A BPF operation failed. The message is one line naming the object (map, program, binary) and the
 * reason; {@link #details()} holds libbpf's own log lines (e.g. the verifier's), if any.
 */
public class BpfException extends Exception {
  private final String details;

  public BpfException(String message) {
    this(message, "");
  }

  public BpfException(String message, String details) {
    super(message);
    this.details = details;
  }

  public BpfException(String message, Throwable cause) {
    super(message, cause);
    this.details = "";
  }

  /** libbpf's log lines about the failure, one per line, or "". */
  public String details() {
    return details;
  }

  static String errno(int err) {
    int e = Math.abs(err);
    return LibC.INSTANCE.strerror(e) + " (errno " + e + ")";
  }
}
