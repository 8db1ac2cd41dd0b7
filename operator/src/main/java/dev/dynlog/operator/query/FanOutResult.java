package dev.dynlog.operator.query;

import java.util.List;

/**
 * A merged answer of all agents of a Tracepoint.
 *
 * @param rows the merged rows, in the requested order, at most the limit
 * @param warnings what is missing (a node whose agent failed, no running pods), one line each
 */
public record FanOutResult(List<AgentRow> rows, List<String> warnings) {

  public FanOutResult {
    rows = List.copyOf(rows);
    warnings = List.copyOf(warnings);
  }
}
