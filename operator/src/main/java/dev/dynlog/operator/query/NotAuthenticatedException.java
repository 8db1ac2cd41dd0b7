package dev.dynlog.operator.query;

/** A request not from a trusted front proxy, or without a user: answered 401. */
public final class NotAuthenticatedException extends RuntimeException {

  public NotAuthenticatedException(String message) {
    super(message);
  }
}
