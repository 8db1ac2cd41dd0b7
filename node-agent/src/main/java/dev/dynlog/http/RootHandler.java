package dev.dynlog.http;

import dev.dynlog.query.BadQueryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Every request passes here once its head is in: tells the {@link ConnectionGuard} (no deadline
 * while it is answered), answers a connection beyond the per-client cap with 503, allows only
 * {@code GET}, and routes {@code /metrics}, {@code /healthz} and the query API. Any failure becomes
 * a {@code {"error": ...}} answer; an unexpected one is also reported as one line on stderr.
 */
final class RootHandler extends Handler.Abstract {

  /** What {@code /healthz} answers. */
  static final String HEALTHY = "ok";

  /** The endpoints, for 404 messages. */
  static final String ENDPOINTS =
      "/metrics, /healthz, "
          + ApiHandler.PREFIX
          + ", "
          + ApiHandler.PREFIX
          + "/{name}, "
          + ApiHandler.PREFIX
          + "/{name}/events, "
          + ApiHandler.NAMESPACED_ENDPOINTS;

  private static final byte[] HEALTHY_BYTES = HEALTHY.getBytes(StandardCharsets.UTF_8);

  private final ConnectionGuard guard;
  private final int maxPerClient;
  private final MetricsHandler metrics;
  private final ApiHandler api;
  private final QueryAuthenticator authenticator;

  /**
   * Routes to these handlers; with an {@code authenticator} (a node agent) every path but {@code
   * /metrics} and {@code /healthz} needs a bearer token it allows, without one (null) none does.
   */
  RootHandler(
      ConnectionGuard guard,
      int maxPerClient,
      MetricsHandler metrics,
      ApiHandler api,
      QueryAuthenticator authenticator) {
    this.guard = guard;
    this.maxPerClient = maxPerClient;
    this.metrics = metrics;
    this.api = api;
    this.authenticator = authenticator;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    ConnectionGuard.Peer peer = guard.peer(request);
    // No endpoint reads a body: one that has not fully arrived is not waited for; the answer goes
    // out at once and ends the connection.
    boolean closing =
        (peer != null && peer.excess())
            || (hasBody(request) && !request.consumeAvailable())
            || request.getHeaders().contains(HttpHeader.CONNECTION, "close");
    if (closing) response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
    if (peer != null) {
      peer.requestStarted();
      Request.addCompletionListener(
          request, failure -> peer.requestDone(closing || failure != null));
    }
    try {
      if (peer != null && peer.excess()) {
        throw new HttpError(
            503,
            "too many connections from "
                + peer.client().getHostAddress()
                + ": at most "
                + maxPerClient
                + " at once per client; close idle ones and retry");
      }
      if (!request.getMethod().equals("GET")) {
        response.getHeaders().put(HttpHeader.ALLOW, "GET");
        throw new HttpError(405, "only GET is supported");
      }
      String path = request.getHttpURI().getPath();
      if (path == null) path = "";
      switch (path) {
        case "/metrics" -> metrics.handle(request, response, callback);
        case "/healthz" ->
            Answer.bytes(response, callback, 200, "text/plain; charset=utf-8", HEALTHY_BYTES);
        default -> {
          authenticate(request, response);
          api.handle(request, response, callback);
        }
      }
    } catch (HttpError e) {
      answerError(response, callback, e.status, e.getMessage());
    } catch (BadQueryException e) {
      answerError(response, callback, 400, e.getMessage());
    } catch (RuntimeException | IOException e) {
      String what = request.getMethod() + " " + request.getHttpURI().getPath();
      String reason = e.getMessage() == null ? "unexpected failure" : e.getMessage();
      System.err.println("dynlog: http: " + what + " failed: " + reason);
      answerError(response, callback, 500, "internal error answering " + what + ": " + reason);
    }
    return true;
  }

  /**
   * Lets the request through when there is no authenticator or its bearer token is allowed; else
   * throws the 401 (no token), 403 (refused) or 503 (cannot review now) to answer. The token is
   * never part of an answer.
   */
  private void authenticate(Request request, Response response) {
    if (authenticator == null) return;
    String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    String token = null;
    if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      token = header.substring(BEARER.length()).strip();
    }
    if (token == null || token.isEmpty()) {
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      throw new HttpError(
          401,
          (header == null ? "no Authorization header" : "the Authorization header is not Bearer")
              + ": this node agent's query API answers only the aggregated query API"
              + " (/apis/query.dynlog.dev/v1alpha1/...); read rows with"
              + " dynlog events -n NAMESPACE NAME or kubectl get --raw");
    }
    QueryAuthenticator.Verdict verdict = authenticator.review(token);
    switch (verdict.outcome()) {
      case ALLOWED -> {}
      case DENIED -> throw new HttpError(403, verdict.message());
      case UNAVAILABLE -> throw new HttpError(503, verdict.message());
    }
  }

  private static final String BEARER = "Bearer ";

  private static boolean hasBody(Request request) {
    if (request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) return true;
    try {
      return request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH) > 0;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private static void answerError(
      Response response, Callback callback, int status, String message) {
    if (response.isCommitted()) {
      callback.failed(new IOException(message));
      return;
    }
    try {
      Answer.error(response, callback, status, message);
    } catch (IOException e) {
      callback.failed(e);
    }
  }
}
