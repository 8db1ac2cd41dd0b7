package dev.dynlog.operator.k8s;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * One-line descriptions of what went wrong in a request to the API server, from the exception
 * chains fabric8 and the JDK HTTP client produce (whose messages are often null or span many
 * lines), and whether trying again may help.
 */
public final class Failures {

  private Failures() {}

  /**
   * What kind of failure: a transport problem (the request may not have reached the server) or an
   * HTTP status.
   *
   * @param description one line, e.g. {@code connection refused} or {@code 403 Forbidden: ...}
   * @param httpStatus the HTTP status, or 0 when no answer came
   * @param worthRetrying whether the same request may succeed later (refused, timeout, 5xx, 429)
   */
  public record Failure(String description, int httpStatus, boolean worthRetrying) {}

  /** Describes a failed request. */
  public static Failure of(Throwable e) {
    Optional<KubernetesClientException> answered =
        causes(e, KubernetesClientException.class).filter(k -> k.getCode() > 0);
    if (answered.isPresent()) {
      KubernetesClientException k = answered.get();
      int code = k.getCode();
      String message = serverMessage(k);
      String description = code + " " + reason(code) + (message.isEmpty() ? "" : ": " + message);
      return new Failure(description, code, code == 429 || code >= 500);
    }
    if (causes(e, SSLException.class).isPresent()) {
      return new Failure(
          "TLS handshake failed: " + firstLine(causes(e, SSLException.class).get()), 0, false);
    }
    if (causes(e, UnresolvedAddressException.class).isPresent()
        || causes(e, UnknownHostException.class).isPresent()) {
      return new Failure("cannot resolve the host name", 0, true);
    }
    if (causes(e, HttpTimeoutException.class).isPresent()) {
      return new Failure("no answer in time", 0, true);
    }
    if (causes(e, ConnectException.class).isPresent()) {
      return new Failure("connection refused", 0, true);
    }
    if (causes(e, IOException.class).isPresent()) {
      return new Failure(deepestMessage(e), 0, true);
    }
    return new Failure(firstLine(e), 0, false);
  }

  /**
   * One line for any exception: the deepest message in its cause chain that says something (first
   * line only), else the class name.
   */
  public static String deepestMessage(Throwable e) {
    String found = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && !m.isBlank() && !m.equals("An error has occurred.")) {
        found = firstLine(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return found != null ? found : e.getClass().getSimpleName();
  }

  /** The first line of an exception's message (its class name when there is none). */
  public static String firstLine(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.getClass().getSimpleName();
    }
    m = m.strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl).strip();
  }

  /** The reason phrase of an HTTP status the API server uses. */
  public static String reason(int code) {
    return switch (code) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 409 -> "Conflict";
      case 422 -> "Unprocessable Entity";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "HTTP";
    };
  }

  private static String serverMessage(KubernetesClientException k) {
    Status status = k.getStatus();
    String m = status != null && status.getMessage() != null ? status.getMessage() : "";
    m = m.strip().replaceAll("\\s*\\n\\s*", " ");
    return m.equals(reason(k.getCode())) ? "" : m;
  }

  private static <T extends Throwable> Optional<T> causes(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return Optional.of(type.cast(t));
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Optional.empty();
  }
}
