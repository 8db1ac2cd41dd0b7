package dev.dynlog.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QueryParserTest {

  private static final Instant NOW = Instant.parse("2026-03-04T05:06:07.123456789Z");

  private static Query parse(Map<String, List<String>> params) {
    return QueryParser.parse(params, NOW, Set.of("follow"));
  }

  private static String error(Map<String, List<String>> params) {
    return assertThrows(BadQueryException.class, () -> parse(params)).getMessage();
  }

  @Test
  void defaults() {
    Query q = parse(Map.of());
    assertEquals(Query.DEFAULT_LIMIT, q.limit());
    assertEquals(Order.NEWEST, q.order());
    assertEquals(Long.MIN_VALUE, q.sinceNanos());
    assertEquals(Long.MAX_VALUE, q.untilNanos());
    assertEquals(0, q.pid());
    assertEquals(-1, q.minLatencyNs());
  }

  @Test
  void timesAndDurations() {
    long now = Timestamps.toNanos(NOW);
    assertEquals(now - 300_000_000_000L, parse(Map.of("since", List.of("5m"))).sinceNanos());
    assertEquals(now - 5_400_000_000_000L, parse(Map.of("since", List.of("1h30m"))).sinceNanos());
    assertEquals(
        Timestamps.toNanos(Instant.parse("2026-01-02T03:04:05.000000001Z")),
        parse(Map.of("until", List.of("2026-01-02T03:04:05.000000001Z"))).untilNanos());
    assertEquals(
        Timestamps.toNanos(Instant.parse("2026-01-02T01:04:05Z")),
        parse(Map.of("until", List.of("2026-01-02T03:04:05+02:00"))).untilNanos());
    assertEquals(250_000, parse(Map.of("min_latency", List.of("250us"))).minLatencyNs());
    assertEquals(250_000, parse(Map.of("min_latency", List.of("250µs"))).minLatencyNs());
    assertEquals(1_500_000_000, parse(Map.of("min_latency", List.of("1.5s"))).minLatencyNs());
    assertEquals(7, parse(Map.of("min_latency", List.of("7ns"))).minLatencyNs());
  }

  @Test
  void malformedQueriesSayWhatIsWrong() {
    assertTrue(
        error(Map.of("limt", List.of("5")))
            .contains("unknown query parameter 'limt'; known parameters: follow, limit"));
    assertTrue(error(Map.of("limit", List.of("-1"))).contains("limit must be 0 or more"));
    assertTrue(
        error(Map.of("limit", List.of("ten"))).contains("limit must be a whole number, got 'ten'"));
    assertTrue(error(Map.of("limit", List.of("1", "2"))).contains("'limit' is given 2 times"));
    assertTrue(error(Map.of("pid", List.of("0"))).contains("pid must be a positive process id"));
    assertTrue(
        error(Map.of("order", List.of("latest")))
            .contains("order must be 'newest' or 'oldest', got 'latest'"));
    assertTrue(
        error(Map.of("min_latency", List.of("10")))
            .contains("min_latency: '10' is not a duration"));
    assertTrue(error(Map.of("min_latency", List.of("10 ms"))).contains("is not a duration"));
    assertTrue(
        error(Map.of("since", List.of("yesterday")))
            .contains("since: 'yesterday' is neither an RFC 3339 time"));
    assertTrue(
        error(Map.of("since", List.of("2026-13-01T00:00:00Z")))
            .contains("is not an RFC 3339 time"));
    assertTrue(
        error(Map.of("where", List.of("n>abc"))).contains("operator > needs a number, got 'abc'"));
    assertTrue(error(Map.of("where", List.of("just words"))).contains("is not NAME OP VALUE"));
    assertTrue(error(Map.of("where", List.of("=5"))).contains("is not NAME OP VALUE"));
    assertTrue(error(Map.of("where", List.of("n="))).contains("has no value after '='"));
  }

  @Test
  void whereSyntax() {
    Where w = Where.parse(" l.Units >= 10 ");
    assertEquals("l.Units", w.path().toString());
    assertEquals(Op.GE, w.op());
    assertEquals("10", w.operand());
    Where c = Where.parse("path contains /api/v1");
    assertEquals(Op.CONTAINS, c.op());
    assertEquals("/api/v1", c.operand());
    assertEquals("a=b", Where.parse("s=\"a=b\"").operand());
    assertEquals("", Where.parse("s=\"\"").operand());
    assertEquals(Op.NE, Where.parse("s!=x").op());
  }
}
