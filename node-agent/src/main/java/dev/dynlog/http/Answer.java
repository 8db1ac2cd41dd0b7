package dev.dynlog.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writes a whole answer at once: the body is built in memory, then handed to Jetty as one
 * non-blocking write, so a client that reads slowly holds no thread.
 */
final class Answer {

  static final JsonFactory JSON = new JsonFactory();

  private Answer() {}

  /** Writes the body of an answer. */
  interface Body {
    void write(OutputStream out) throws IOException;
  }

  /** Writes a JSON answer with a generator. */
  interface JsonBody {
    void write(JsonGenerator g) throws IOException;
  }

  /** Sends {@code body} with this status and content type; completes {@code callback}. */
  static void send(Response response, Callback callback, int status, String contentType, Body body)
      throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    body.write(buf);
    bytes(response, callback, status, contentType, buf.toByteArray());
  }

  /** Sends these bytes with this status and content type; completes {@code callback}. */
  static void bytes(
      Response response, Callback callback, int status, String contentType, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  /** Sends a JSON document. */
  static void json(Response response, Callback callback, int status, JsonBody body)
      throws IOException {
    send(
        response,
        callback,
        status,
        "application/json",
        out -> {
          try (JsonGenerator g = JSON.createGenerator(out)) {
            body.write(g);
          }
        });
  }

  /** Sends {@code {"error": message}}, the message made {@link #oneLine}. */
  static void error(Response response, Callback callback, int status, String message)
      throws IOException {
    json(
        response,
        callback,
        status,
        g -> {
          g.writeStartObject();
          g.writeStringField("error", oneLine(message));
          g.writeEndObject();
        });
  }

  /**
   * The message with every control character, line separator and unpaired surrogate (which a
   * message may echo from a query) written as a visible backslash escape, as JSON would write it,
   * so that it prints as one line and cannot drive a terminal.
   */
  static String oneLine(String message) {
    StringBuilder out = new StringBuilder(message.length());
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
              ? i + 1 < message.length() && Character.isLowSurrogate(message.charAt(i + 1))
              : !Character.isLowSurrogate(c)
                  || (i > 0 && Character.isHighSurrogate(message.charAt(i - 1)));
      if (c == '\n') out.append("\\n");
      else if (c == '\r') out.append("\\r");
      else if (c == '\t') out.append("\\t");
      else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || !paired)
        out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.toString();
  }
}
