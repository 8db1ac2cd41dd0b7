package dev.dynlog.query;

/** A malformed query: the message says which part is wrong and what is accepted instead. */
public final class BadQueryException extends RuntimeException {
  public BadQueryException(String message) {
    super(message);
  }
}
