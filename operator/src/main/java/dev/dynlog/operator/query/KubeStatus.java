package dev.dynlog.operator.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** Error answers as the kube-apiserver writes them: a {@code v1 Status} object. */
public final class KubeStatus {

  private static final ObjectMapper JSON = new ObjectMapper();

  private KubeStatus() {}

  /**
   * A Status JSON.
   *
   * @param code the HTTP status
   * @param reason e.g. {@code Forbidden}, {@code NotFound}, {@code BadRequest}, {@code
   *     Unauthorized}
   * @param message the human-readable message
   */
  public static String json(int code, String reason, String message) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.put("metadata", Map.of());
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    status.put("code", code);
    try {
      return JSON.writeValueAsString(status);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The reason word of a status code. */
  public static String reason(int code) {
    return switch (code) {
      case 400 -> "BadRequest";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "NotFound";
      case 405 -> "MethodNotAllowed";
      case 503 -> "ServiceUnavailable";
      default -> "InternalError";
    };
  }

  /** The message of a denied read, worded as kube-apiserver words its own. */
  public static String forbidden(Caller caller, String namespace, String name) {
    return "tracepoints.query.dynlog.dev \""
        + name
        + "\" is forbidden: User \""
        + caller.user()
        + "\" cannot get resource \"tracepoints/events\" in API group \""
        + QueryPaths.GROUP
        + "\" in the namespace \""
        + namespace
        + "\"";
  }
}
