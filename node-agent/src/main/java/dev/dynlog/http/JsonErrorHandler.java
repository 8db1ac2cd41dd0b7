package dev.dynlog.http;

import java.io.IOException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answer to a request Jetty refuses before it reaches {@link RootHandler} (a malformed request
 * line, a request head larger than {@link AgentHttpServer#MAX_REQUEST_HEAD_BYTES}), in the API's
 * own form {@code {"error": ...}}; never a stack trace or an exception's class name.
 */
final class JsonErrorHandler implements Request.Handler {

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    String reason = request.getAttribute(ErrorHandler.ERROR_MESSAGE) instanceof String s ? s : null;
    if (request.getAttribute(ErrorHandler.ERROR_EXCEPTION) instanceof HttpException e) {
      status = e.getCode();
      if (reason == null) reason = e.getReason();
    }
    if (status < 400) status = HttpStatus.INTERNAL_SERVER_ERROR_500;
    if (HttpStatus.hasNoBody(status) || request.getMethod().equals("HEAD")) {
      response.setStatus(status);
      callback.succeeded();
      return true;
    }
    try {
      Answer.error(response, callback, status, message(status, reason));
    } catch (IOException e) {
      callback.failed(e);
    }
    return true;
  }

  private static String message(int status, String reason) {
    String generic = HttpStatus.getMessage(status);
    boolean specific =
        reason != null
            && !reason.isBlank()
            && !reason.equalsIgnoreCase(generic)
            && !reason.contains("Exception");
    return switch (status) {
      case HttpStatus.URI_TOO_LONG_414, HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431 ->
          "the request line and headers take more than "
              + AgentHttpServer.MAX_REQUEST_HEAD_BYTES
              + " bytes; shorten the query";
      case HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505 -> "only HTTP/1.0 and HTTP/1.1 are supported";
      case HttpStatus.BAD_REQUEST_400 ->
          specific
              ? "bad request: " + reason.strip()
              : "bad request: the request line or a header is malformed"
                  + " (e.g. a bad percent-encoding in the path)";
      default ->
          status >= 500
              ? "the server could not answer: " + generic
              : generic + (specific ? ": " + reason.strip() : "");
    };
  }
}
