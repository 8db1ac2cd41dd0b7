package dev.dynlog.query;

import static dev.dynlog.query.Dataset.N;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.trace.Row;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/** Every filter kind, combinations and edge cases, against the dataset's ground truth. */
class QueryEngineTest {

  private final StoredTracepoint tp = Dataset.registry("sum").find("sum").orElseThrow();

  /** Runs the URL-style query (oldest first, no limit unless given) and returns row indexes. */
  private List<Integer> run(String... keyValues) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    params.put("order", List.of("oldest"));
    params.put("limit", List.of(Integer.toString(N)));
    for (int i = 0; i < keyValues.length; i += 2) {
      if (keyValues[i].equals("where")) {
        params.computeIfAbsent("where", k -> new ArrayList<>()).add(keyValues[i + 1]);
      } else {
        params.put(keyValues[i], List.of(keyValues[i + 1]));
      }
    }
    Query q = QueryParser.parse(params, Instant.now(), Set.of());
    return QueryEngine.run(tp, q).stream().map(Dataset::index).toList();
  }

  private static void check(IntPredicate truth, List<Integer> got) {
    List<Integer> want = Dataset.where(truth);
    assertEquals(want, got);
  }

  private static String time(long epochNanos) {
    return Instant.ofEpochSecond(0, epochNanos).toString();
  }

  @Test
  void noFilterReturnsEverythingInArrivalOrder() {
    check(i -> true, run());
  }

  @Test
  void timeRange() {
    check(i -> Dataset.ts(i) >= Dataset.ts(250), run("since", time(Dataset.ts(250))));
    check(i -> Dataset.ts(i) < Dataset.ts(40), run("until", time(Dataset.ts(40))));
    check(
        i -> i >= 100 && i < 300,
        run("since", time(Dataset.ts(100)), "until", time(Dataset.ts(300))));
    check(i -> false, run("since", time(Dataset.ts(300)), "until", time(Dataset.ts(100))));
  }

  @Test
  void relativeSinceIsRelativeToNow() {
    check(i -> false, run("since", "5m"));
    check(i -> true, run("since", "100000d"));
  }

  @Test
  void pid() {
    check(i -> Dataset.pid(i) == 200, run("pid", "200"));
    check(i -> false, run("pid", "999"));
  }

  @Test
  void minLatency() {
    check(i -> Dataset.latency(i) >= 7_000_000, run("min_latency", "7ms"));
    check(i -> Dataset.latency(i) >= 6_500_000, run("min_latency", "6.5ms"));
    check(i -> true, run("min_latency", "0s"));
  }

  @Test
  void equalityOnEachValueKind() {
    check(i -> Dataset.user(i).equals("user3"), run("where", "user=user3"));
    check(i -> !Dataset.nUnreadable(i) && Dataset.n(i) == 42, run("where", "n=42"));
    check(i -> Dataset.ok(i), run("where", "ok=true"));
    check(i -> Dataset.err(i) == null, run("where", "err=null"));
    check(i -> "boom".equals(Dataset.err(i)), run("where", "err=boom"));
    check(
        i -> Dataset.big(i).equals(Dataset.U64_MAX.subtract(BigInteger.valueOf(17))),
        run("where", "big=18446744073709551598"));
    check(i -> Dataset.ratio(i) == 2.5, run("where", "ratio=2.5"));
    check(i -> Dataset.ratio(i) == 3.0, run("where", "ratio=3"));
    check(i -> Dataset.user(i).equals("user3"), run("where", "user=\"user3\""));
  }

  @Test
  void inequalityNeverMatchesUnreadableValues() {
    check(i -> Dataset.err(i) != null, run("where", "err!=null"));
    check(i -> !Dataset.nUnreadable(i) && Dataset.n(i) != 42, run("where", "n!=42"));
    check(i -> !Dataset.user(i).equals("user0"), run("where", "user!=user0"));
    check(i -> false, run("where", "n=null"));
  }

  @Test
  void orderingComparisons() {
    check(i -> !Dataset.nUnreadable(i) && Dataset.n(i) < 10, run("where", "n<10"));
    check(i -> !Dataset.nUnreadable(i) && Dataset.n(i) <= 10, run("where", "n<=10"));
    check(i -> !Dataset.nUnreadable(i) && Dataset.n(i) > 90, run("where", "n>90"));
    check(i -> !Dataset.nUnreadable(i) && Dataset.n(i) >= 90, run("where", "n>=90"));
    check(i -> Dataset.ratio(i) > 200.1, run("where", "ratio>200.1"));
    check(
        i -> Dataset.big(i).compareTo(Dataset.U64_MAX.subtract(BigInteger.TEN)) > 0,
        run("where", "big>18446744073709551605"));
    check(i -> false, run("where", "user>5"));
  }

  @Test
  void containsOnStringsListsAndObjects() {
    check(i -> Dataset.user(i).contains("r4"), run("where", "user contains r4"));
    check(i -> Dataset.tag(i).equals("t2"), run("where", "tags contains t2"));
    check(i -> true, run("where", "l contains Currency"));
    check(i -> false, run("where", "l contains Nope"));
    check(i -> false, run("where", "n contains 4"));
  }

  @Test
  void nestedPaths() {
    check(i -> Dataset.units(i) > 45, run("where", "l.Units>45"));
    check(i -> Dataset.currency(i).equals("EUR"), run("where", "l.Currency=EUR"));
    check(i -> Dataset.tag(i).equals("t1"), run("where", "tags.0=t1"));
    check(i -> true, run("where", "tags.1=x"));
    check(i -> false, run("where", "tags.2=x"));
    check(i -> false, run("where", "l.Nope=1"));
    check(i -> false, run("where", "user.deeper=1"));
  }

  @Test
  void combinationsAndAcrossEveryFilter() {
    check(
        i ->
            Dataset.pid(i) == 300
                && Dataset.latency(i) >= 5_000_000
                && Dataset.user(i).equals("user2")
                && Dataset.units(i) < 30
                && Dataset.ts(i) >= Dataset.ts(100)
                && Dataset.ts(i) < Dataset.ts(900),
        run(
            "pid",
            "300",
            "min_latency",
            "5ms",
            "where",
            "user=user2",
            "where",
            "l.Units<30",
            "since",
            time(Dataset.ts(100)),
            "until",
            time(Dataset.ts(900))));
    check(
        i -> Dataset.ok(i) && Dataset.err(i) != null && Dataset.currency(i).equals("USD"),
        run("where", "ok=true", "where", "err!=null", "where", "l.Currency=USD"));
  }

  @Test
  void limitAndOrderTakeTheRightEnd() {
    List<Integer> matching = Dataset.where(i -> Dataset.pid(i) == 100);
    List<Row> newest =
        QueryEngine.run(
            tp, new Query(Long.MIN_VALUE, Long.MAX_VALUE, 5, Order.NEWEST, 100, -1, List.of()));
    List<Integer> wantNewest =
        new ArrayList<>(matching.subList(matching.size() - 5, matching.size()));
    Collections.reverse(wantNewest);
    assertEquals(wantNewest, newest.stream().map(Dataset::index).toList());
    check(i -> Dataset.pid(i) == 100 && i < 15, run("pid", "100", "limit", "5"));
  }

  @Test
  void edgeCases() {
    assertEquals(List.of(), run("where", "user=nobody"));
    assertEquals(List.of(), run("limit", "0"));
    assertEquals(List.of(), run("limit", "0", "where", "user=user1"));
    check(i -> Dataset.user(i).equals("a b"), run("where", "user=\"a b\""));
  }

  @Test
  void unknownFieldIsRejectedNamingItAndTheKnownCaptures() {
    BadQueryException e = assertThrows(BadQueryException.class, () -> run("where", "usr=alice"));
    assertTrue(e.getMessage().contains("unknown field 'usr'"), e.getMessage());
    assertTrue(e.getMessage().contains("user, n, big, ok, err, l, tags, ratio"), e.getMessage());
    BadQueryException nested =
        assertThrows(BadQueryException.class, () -> run("where", "m.Units=1"));
    assertTrue(nested.getMessage().contains("unknown field 'm'"), nested.getMessage());
  }
}
