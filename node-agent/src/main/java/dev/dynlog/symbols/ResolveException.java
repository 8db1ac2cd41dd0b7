package dev.dynlog.symbols;

/** A specific, user-facing failure to resolve a binary, function, expression or type. */
public class ResolveException extends Exception {
  public ResolveException(String message) {
    super(message);
  }

  public ResolveException(String message, Throwable cause) {
    super(message, cause);
  }
}
