package dev.dynlog.trace;

/** Tracing cannot start or continue; the message is one line saying what failed and why. */
public class TracerException extends Exception {
  public TracerException(String message) {
    super(message);
  }

  public TracerException(String message, Throwable cause) {
    super(message, cause);
  }
}
