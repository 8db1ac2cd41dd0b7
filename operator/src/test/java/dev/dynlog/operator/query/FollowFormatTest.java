package dev.dynlog.operator.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FollowFormatTest {

  private static final String ROW = "{\"ts\":\"2026-01-01T00:00:01Z\"}";

  @Test
  void jsonlIsOneObjectALine() {
    assertEquals(ROW + "\n", FollowFormat.JSONL.frame(ROW));
    assertEquals("\n", FollowFormat.JSONL.keepAlive());
    assertEquals("", FollowFormat.JSONL.end("deleted"));
  }

  @Test
  void sseFramesRowsWarningsDropsAndTheEnd() {
    assertEquals("data: " + ROW + "\n\n", FollowFormat.SSE.frame(ROW));
    assertEquals(
        "event: warning\ndata: {\"warning\":\"node a: agent reconnected\"}\n\n",
        FollowFormat.SSE.frame(Warnings.line("node a: agent reconnected")));
    assertEquals(
        "event: dropped\ndata: {\"dropped\":3}\n\n", FollowFormat.SSE.frame("{\"dropped\":3}"));
    assertEquals(": keep-alive\n\n", FollowFormat.SSE.keepAlive());
    assertEquals("event: end\ndata: {\"state\":\"expired\"}\n\n", FollowFormat.SSE.end("expired"));
  }
}
