package dev.dynlog.bpf;

/** A BPF operation failed; the message names the object (map, program, binary) and the reason. */
public class BpfException extends Exception {
  public BpfException(String message) {
    super(message);
  }

  public BpfException(String message, Throwable cause) {
    super(message, cause);
  }

  static String errno(int err) {
    int e = Math.abs(err);
    return LibC.INSTANCE.strerror(e) + " (errno " + e + ")";
  }
}
