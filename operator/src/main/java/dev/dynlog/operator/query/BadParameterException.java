package dev.dynlog.operator.query;

/** A malformed query parameter: answered 400 with this message, which names the parameter. */
public final class BadParameterException extends RuntimeException {

  public BadParameterException(String message) {
    super(message);
  }
}
