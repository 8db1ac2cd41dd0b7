package dev.dynlog.operator.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowMergerTest {

  private static AgentRow row(String ts, String node) {
    return AgentRow.parse("{\"ts\":\"" + ts + "\",\"node\":\"" + node + "\"}");
  }

  private static List<String> nodesAndSeconds(List<AgentRow> rows) {
    return rows.stream()
        .map(r -> r.json().replaceAll(".*T00:00:(\\d\\d).*\"node\":\"(\\w+)\".*", "$2$1"))
        .toList();
  }

  // Each agent answers newest first, at most the limit, as QueryEngine does.
  private final List<AgentRow> a =
      List.of(
          row("2026-01-01T00:00:05.000000000Z", "a"), row("2026-01-01T00:00:01.000000000Z", "a"));
  private final List<AgentRow> b =
      List.of(
          row("2026-01-01T00:00:06.000000000Z", "b"),
          row("2026-01-01T00:00:03.000000000Z", "b"),
          row("2026-01-01T00:00:02.000000000Z", "b"));

  @Test
  void newestFirstTakesTheNewestOfAll() {
    assertEquals(
        List.of("b06", "a05", "b03"), nodesAndSeconds(RowMerger.merge(List.of(a, b), true, 3)));
  }

  @Test
  void oldestFirstTakesTheOldestOfAll() {
    assertEquals(
        List.of("a01", "b02", "b03", "a05"),
        nodesAndSeconds(RowMerger.merge(List.of(reversed(a), reversed(b)), false, 4)));
  }

  private static List<AgentRow> reversed(List<AgentRow> rows) {
    List<AgentRow> copy = new ArrayList<>(rows);
    Collections.reverse(copy);
    return copy;
  }

  @Test
  void limitZeroAndNoAgents() {
    assertEquals(List.of(), RowMerger.merge(List.of(a, b), true, 0));
    assertEquals(List.of(), RowMerger.merge(List.of(), true, 10));
  }

  @Test
  void nanosecondsDecideAndEqualTimesKeepAgentOrder() {
    AgentRow early = row("2026-01-01T00:00:07.000000001Z", "a");
    AgentRow late = row("2026-01-01T00:00:07.000000002Z", "b");
    AgentRow sameAsLate = row("2026-01-01T00:00:07.000000002Z", "c");
    assertEquals(
        List.of(early, late, sameAsLate),
        RowMerger.merge(List.of(List.of(late), List.of(sameAsLate, early)), false, 10));
  }

  @Test
  void aRowWithoutTimeIsKeptFirstInTime() {
    AgentRow none = AgentRow.parse("{\"dropped\":3}");
    AgentRow timed = row("2026-01-01T00:00:07.000000000Z", "a");
    assertEquals(List.of(none, timed), RowMerger.merge(List.of(List.of(timed, none)), false, 5));
  }
}
