package dev.dynlog.testing;

/** Building a target failed; the message holds the command line and the tool's output. */
public final class BuildException extends RuntimeException {
  public BuildException(String message) {
    super(message);
  }

  public BuildException(String message, Throwable cause) {
    super(message, cause);
  }
}
