package dev.dynlog.operator.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/**
 * Warnings of a partial answer, in the forms clients show: the HTTP {@code Warning} header (code
 * 299, which kubectl prints to stderr) and a JSONL line {@code {"warning":"..."}}.
 */
public final class Warnings {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Warnings() {}

  /**
   * The value of a {@code Warning} header: {@code 299 - "text"} with quotes and backslashes escaped
   * and characters outside printable ASCII replaced by {@code ?}, so the header stays valid.
   */
  public static String header(String text) {
    StringBuilder b = new StringBuilder("299 - \"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        b.append('?');
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** The JSONL line {@code {"warning":"text"}} (without its newline). */
  public static String line(String text) {
    try {
      return JSON.writeValueAsString(Map.of("warning", text));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The warning for a node whose agent did not answer. */
  public static String node(String node, String problem) {
    return "node " + node + ": " + problem;
  }
}
