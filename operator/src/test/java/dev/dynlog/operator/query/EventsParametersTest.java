package dev.dynlog.operator.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventsParametersTest {

  private static String error(String query) {
    return assertThrows(BadParameterException.class, () -> EventsParameters.parse(query, null))
        .getMessage();
  }

  @Test
  void defaultsAreTheAgents() {
    EventsParameters p = EventsParameters.parse(null, null);
    assertEquals(1000, p.limit());
    assertTrue(p.newestFirst());
    assertFalse(p.follow());
    assertEquals("json", p.format());
    assertEquals("format=jsonl", p.agentQuery());
  }

  @Test
  void forwardsEveryParameterButFormatEncoded() {
    EventsParameters p =
        EventsParameters.parse(
            "since=5m&where=username%3Dalice&where=n%3E1&limit=5&order=oldest&format=jsonl"
                + "&min_latency=1.5ms&pid=42&where=s%3D%22a%20b%22",
            null);
    assertEquals(5, p.limit());
    assertFalse(p.newestFirst());
    assertEquals("jsonl", p.format());
    assertEquals(
        "format=jsonl&since=5m&where=username%3Dalice&where=n%3E1&where=s%3D%22a%20b%22"
            + "&limit=5&order=oldest&min_latency=1.5ms&pid=42",
        p.agentQuery());
  }

  @Test
  void followIsJsonlOldestFirstAndResumes() {
    EventsParameters p = EventsParameters.parse("follow=true&limit=10&since=1h", null);
    assertTrue(p.follow());
    assertFalse(p.newestFirst());
    assertEquals("jsonl", p.format());
    assertEquals(
        "format=jsonl&follow=true&limit=10&since=2026-01-01T00%3A00%3A00.000000001Z",
        p.from(Instant.parse("2026-01-01T00:00:00Z")).agentQuery());
    assertEquals(
        "follow=true streams oldest first; drop order=newest", error("follow=true&order=newest"));
    assertEquals(
        "follow=true streams format=jsonl or format=sse, not 'json'",
        error("follow=1&format=json"));
    assertEquals("sse", EventsParameters.parse("follow=true", "text/event-stream").format());
  }

  @Test
  void acceptPicksJsonl() {
    assertEquals("jsonl", EventsParameters.parse("", "application/x-ndjson").format());
  }

  @Test
  void malformedParametersAreNamed() {
    assertEquals(
        "unknown query parameter 'limt'; known parameters: follow, format, limit, min_latency,"
            + " order, pid, since, until, where",
        error("limt=5"));
    assertEquals("query parameter 'limit' is given 2 times", error("limit=1&limit=2"));
    assertEquals("limit must be at most 1000000, got 99999999999", error("limit=99999999999"));
    assertEquals("limit must be 0 or more, got -1", error("limit=-1"));
    assertEquals("limit must be a whole number, got 'ten'", error("limit=ten"));
    assertEquals("order must be 'newest' or 'oldest', got 'up'", error("order=up"));
    assertEquals("pid must be a positive process id (at most 4194304), got 0", error("pid=0"));
    assertEquals(
        "min_latency: '10' is not a duration; write e.g. 100us, 10ms, 1.5s, 5m, 1h30m",
        error("min_latency=10"));
    assertEquals(
        "since: 'yesterday' is neither an RFC 3339 time (e.g. 2026-01-02T15:04:05Z) nor a"
            + " duration ago (e.g. 5m, 1h30m)",
        error("since=yesterday"));
    assertEquals(
        "until: '2026-13-01T00:00:00Z' is not an RFC 3339 time (e.g."
            + " 2026-01-02T15:04:05.123456789Z)",
        error("until=2026-13-01T00:00:00Z"));
    assertEquals("follow must be true or false, got 'yes'", error("follow=yes"));
    assertEquals(
        "where 'username alice' is not NAME OP VALUE: OP is one of = != < <= > >= contains (e.g."
            + " username=alice, l.Units>100, path contains /api)",
        error("where=username%20alice"));
    assertEquals(
        "format must be json or jsonl (sse needs follow=true), got 'xml'", error("format=xml"));
    assertTrue(error("where=" + "a".repeat(1025)).startsWith("where is 1025 characters long"));
    assertTrue(error("since=" + "1".repeat(65)).startsWith("since is 65 characters long"));
    assertEquals(
        "where is given 17 times; at most 16 in one query",
        error("where=a%3D1" + "&where=a%3D1".repeat(16)));
  }
}
