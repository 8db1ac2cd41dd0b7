package dev.dynlog.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a target printed: its ground-truth calls in output order, the summary line's counts, and its
 * exit status and stderr.
 *
 * @param exitCode the process's exit status
 * @param calls every ground-truth line, in the order printed
 * @param summaryCounts function → calls, from the final summary line
 * @param summaryTotal total calls from the summary line
 * @param stderr everything the target wrote to stderr
 */
public record TargetOutput(
    int exitCode,
    List<GroundTruth> calls,
    Map<String, Long> summaryCounts,
    long summaryTotal,
    String stderr) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Parses the target's output lines.
   *
   * @throws IllegalStateException when a line is not JSON, not a ground-truth line, or the summary
   *     is missing
   */
  public static TargetOutput parse(int exitCode, List<String> lines, String stderr) {
    List<GroundTruth> calls = new ArrayList<>();
    Map<String, Long> counts = null;
    long total = -1;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(
            "target output line " + (i + 1) + " is not JSON: " + line, e);
      }
      if (node.has("summary")) {
        counts = new LinkedHashMap<>();
        JsonNode summary = node.get("summary");
        total = summary.path("total").asLong(-1);
        Map<String, Long> c = counts;
        summary
            .path("calls")
            .fields()
            .forEachRemaining(e -> c.put(e.getKey(), e.getValue().asLong()));
      } else {
        try {
          calls.add(GroundTruth.of(node));
        } catch (IllegalArgumentException e) {
          throw new IllegalStateException(
              "target output line " + (i + 1) + ": " + e.getMessage(), e);
        }
      }
    }
    if (counts == null) {
      throw new IllegalStateException(
          "target printed no summary line (exit status "
              + exitCode
              + ", "
              + lines.size()
              + " stdout lines"
              + (lines.isEmpty() ? "" : ", the last: " + lines.get(lines.size() - 1))
              + "); stderr:\n"
              + stderr);
    }
    return new TargetOutput(exitCode, List.copyOf(calls), Map.copyOf(counts), total, stderr);
  }

  /** The calls of one function, in output order. */
  public List<GroundTruth> callsOf(String fn) {
    return calls.stream().filter(c -> c.fn().equals(fn)).toList();
  }
}
