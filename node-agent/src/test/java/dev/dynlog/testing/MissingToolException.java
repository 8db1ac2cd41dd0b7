package dev.dynlog.testing;

/**
 * A tool or toolchain that a test needs is not installed; the message says what and how to get it.
 */
public final class MissingToolException extends RuntimeException {
  public MissingToolException(String message) {
    super(message);
  }
}
