package dev.dynlog.http;

/**
 * An HTTP error answer: status code and a message for the client (sent as {@code {"error": ...}}).
 */
final class HttpError extends RuntimeException {
  final int status;

  HttpError(int status, String message) {
    super(message);
    this.status = status;
  }
}
