package dev.dynlog.operator.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One row as an agent sent it: its JSON text, passed on unchanged, and its {@code ts}, by which
 * rows of several agents are merged.
 *
 * @param ts the call's entry time; {@link Instant#EPOCH} when the row has none or a malformed one
 * @param json the row's JSON object, one line
 */
public record AgentRow(Instant ts, String json) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Reads one JSONL line.
   *
   * @throws IllegalArgumentException when the line is not a JSON object
   */
  public static AgentRow parse(String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a JSON row: " + Excerpts.quote(line), e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("not a JSON object: " + Excerpts.quote(line));
    }
    Instant ts = Instant.EPOCH;
    JsonNode t = node.get("ts");
    if (t != null && t.isTextual()) {
      try {
        ts = Instant.parse(t.asText());
      } catch (DateTimeParseException e) {
        // kept, ordered first
      }
    }
    return new AgentRow(ts, line);
  }
}
