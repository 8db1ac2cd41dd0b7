package dev.dynlog.operator.k8s;

/**
 * A problem that keeps the operator from starting — bad or missing client configuration, an API
 * server that cannot be reached, refuses the credentials, lacks a resource or withholds a
 * permission — whose message is one line saying what is wrong and what to do, meant to be printed
 * as it is (the cause, if any, is for a debug log).
 */
public final class StartupException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A problem with {@code message}, one line. */
  public StartupException(String message) {
    super(message);
  }

  /** A problem with {@code message}, one line, found through {@code cause}. */
  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
