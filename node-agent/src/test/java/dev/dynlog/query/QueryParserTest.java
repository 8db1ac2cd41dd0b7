package dev.dynlog.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Collections;
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

  /**
   * Parses in a thread with a small stack, as an HTTP worker might have: a deep input must fail as
   * a 400 (BadQueryException), never as a StackOverflowError.
   */
  private static String errorOnSmallStack(Map<String, List<String>> params) throws Exception {
    Throwable[] thrown = new Throwable[1];
    Thread t =
        new Thread(
            null,
            () -> {
              try {
                parse(params);
              } catch (Throwable e) {
                thrown[0] = e;
              }
            },
            "small-stack",
            256 * 1024);
    t.start();
    t.join();
    assertTrue(
        thrown[0] instanceof BadQueryException, "a BadQueryException (400), got " + thrown[0]);
    String m = thrown[0].getMessage();
    assertTrue(m.length() <= 250, "one short line, not the input: " + m.length() + " chars: " + m);
    assertFalse(m.contains("\n"), m);
    return m;
  }

  @Test
  void aWherePathOfThousandsOfStepsIsABadQueryNotAStackOverflow() throws Exception {
    String deep = "a" + ".a".repeat(3_000) + "=1";
    String m = errorOnSmallStack(Map.of("where", List.of(deep)));
    assertEquals(
        "where is 6003 characters long; at most "
            + Where.MAX_LENGTH
            + ": '"
            + "a.".repeat(30)
            + "…'",
        m,
        "as docs/query-api.md shows it");
    // within the length bound, the path is bounded by its own length and depth
    String path500 = "a" + ".a".repeat(500) + "=1";
    m = errorOnSmallStack(Map.of("where", List.of(path500)));
    assertTrue(m.contains("1001 characters long; at most " + CapturePath.MAX_LENGTH), m);
    String path33 = "a" + ".b".repeat(CapturePath.MAX_STEPS + 1) + "=1";
    m = errorOnSmallStack(Map.of("where", List.of(path33)));
    assertTrue(m.contains("has 33 steps after the capture name; at most 32"), m);
    Where ok = Where.parse("a" + ".b".repeat(CapturePath.MAX_STEPS) + "=1");
    assertEquals(CapturePath.MAX_STEPS + 1, ok.path().segments().size(), "32 steps are fine");
  }

  @Test
  void longDurationsAndTimesAreBadQueriesNotStackOverflows() throws Exception {
    String m = errorOnSmallStack(Map.of("min_latency", List.of("1s".repeat(20_000))));
    assertTrue(m.contains("min_latency is 40000 characters long; at most 64"), m);
    m = errorOnSmallStack(Map.of("since", List.of("5m".repeat(20_000))));
    assertTrue(m.contains("since is 40000 characters long; at most 64"), m);
    BadQueryException e =
        assertThrows(
            BadQueryException.class, () -> Durations.parseNanos("1s".repeat(20_000), "--linger"));
    assertTrue(e.getMessage().startsWith("--linger: '1s1s"), e.getMessage());
    assertTrue(e.getMessage().contains("at most 64 characters"), e.getMessage());
    assertEquals(
        32_000_000_000L, Durations.parseNanos("1s".repeat(32), "x"), "64 characters are fine");
  }

  @Test
  void limitAndPidSayWhatTheBoundIs() {
    assertEquals(
        "limit must be at most 1000000, got 99999999999",
        error(Map.of("limit", List.of("99999999999"))));
    assertEquals(
        "limit must be at most 1000000, got 1000001", error(Map.of("limit", List.of("1000001"))));
    assertEquals(Query.MAX_LIMIT, parse(Map.of("limit", List.of("1000000"))).limit());
    assertEquals(
        "limit must be 0 or more, got -99999999999999999999999",
        error(Map.of("limit", List.of("-99999999999999999999999"))));
    assertEquals(
        "pid must be a positive process id (at most 4194304), got 99999999999",
        error(Map.of("pid", List.of("99999999999"))));
    assertTrue(error(Map.of("limit", List.of("+5"))).contains("must be a whole number"));
    assertTrue(error(Map.of("limit", List.of("\u0663"))).contains("must be a whole number"));
  }

  @Test
  void hugeOrStrangeValuesAreQuotedShortAndOnOneLine() throws Exception {
    String huge = "x".repeat(10_000);
    for (String name :
        List.of("since", "until", "limit", "order", "pid", "min_latency", "follow")) {
      String m = errorOnSmallStack(Map.of(name, List.of(huge)));
      assertTrue(m.startsWith(name + " is 10000 characters long; at most 64: 'xxx"), m);
    }
    String m = errorOnSmallStack(Map.of(huge, List.of("1")));
    assertTrue(m.startsWith("unknown query parameter 'xxxx"), m);
    assertTrue(m.contains("…' (10000 characters); known parameters: follow, limit"), m);
    m = errorOnSmallStack(Map.of("where", List.of("n>" + "9".repeat(1_000) + "x")));
    assertTrue(m.contains("needs a number, got '9999"), m);
    m = errorOnSmallStack(Map.of("where", List.of("a\n")));
    assertTrue(m.startsWith("where 'a\\n' is not NAME OP VALUE"), m);
    m = errorOnSmallStack(Map.of("order", List.of("new\u001best")));
    assertTrue(m.contains("got 'new\\u001best'"), m);
  }

  @Test
  void atMostSixteenWheres() {
    List<String> sixteen = Collections.nCopies(QueryParser.MAX_WHERE, "n>1");
    assertEquals(16, parse(Map.of("where", sixteen)).where().size());
    List<String> seventeen = Collections.nCopies(QueryParser.MAX_WHERE + 1, "n>1");
    assertEquals(
        "where is given 17 times; at most 16 in one query", error(Map.of("where", seventeen)));
  }

  @Test
  void timesPastTheRangeOfNanosecondsKeepOrExcludeEverything() {
    assertEquals(
        Long.MAX_VALUE, parse(Map.of("until", List.of("3000-01-01T00:00:00Z"))).untilNanos());
    assertEquals(
        Long.MIN_VALUE, parse(Map.of("since", List.of("1000-01-01T00:00:00Z"))).sinceNanos());
  }

  @Test
  void whereScannerKeepsTheGrammar() {
    assertEquals(Op.LE, Where.parse("a<=5").op());
    assertEquals("<5", Where.parse("a=<5").operand(), "the first operator wins, as before");
    assertEquals(Op.CONTAINS, Where.parse("\ta\tcontains\tx\t").op());
    assertEquals("x y", Where.parse("a contains x y ").operand());
    assertEquals(Op.EQ, Where.parse("contains=1").op(), "a capture may be named contains");
    assertEquals("items.0.name", Where.parse("items.0.name=x").path().toString());
    for (String bad :
        List.of("a contains", "acontains x", "a..b=1", "a.=1", "1a=2", ".a=1", "a b=1", "é=1")) {
      assertThrows(BadQueryException.class, () -> Where.parse(bad), bad);
    }
    assertTrue(
        assertThrows(BadQueryException.class, () -> Where.parse("a contains "))
            .getMessage()
            .contains("has no value after 'contains'"));
  }
}
