package dev.dynlog.query;

import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.trace.ProbeCounters;
import dev.dynlog.trace.Row;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Rows whose every field is a plain function of their index {@code i}, so that the expected result
 * of a query is computed independently of the query engine (the ground truth).
 */
public final class Dataset {

  public static final long T0 = 1_767_225_600_000_000_000L; // 2026-01-01T00:00:00Z
  public static final int N = 1000;
  public static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  public static final List<String> CAPTURES =
      List.of("user", "n", "big", "ok", "err", "l", "tags", "ratio");

  private Dataset() {}

  public static long ts(int i) {
    return T0 + i * 1_000_000L;
  }

  public static int pid(int i) {
    return 100 + (i % 3) * 100;
  }

  public static long latency(int i) {
    return (i % 10) * 1_000_000L;
  }

  public static String user(int i) {
    return "user" + (i % 7);
  }

  /** n is unreadable in rows where this is true. */
  public static boolean nUnreadable(int i) {
    return i % 11 == 0;
  }

  public static long n(int i) {
    return i * 37L % 101;
  }

  public static BigInteger big(int i) {
    return U64_MAX.subtract(BigInteger.valueOf(i));
  }

  public static boolean ok(int i) {
    return i % 2 == 0;
  }

  /** The Go error result: "boom" or nil. */
  public static String err(int i) {
    return i % 5 == 0 ? "boom" : null;
  }

  public static long units(int i) {
    return i % 50;
  }

  public static String currency(int i) {
    return i % 3 == 0 ? "EUR" : "USD";
  }

  public static String tag(int i) {
    return "t" + (i % 4);
  }

  public static double ratio(int i) {
    return i / 4.0;
  }

  public static Row row(String tracepoint, int i) {
    Map<String, Object> captures = new LinkedHashMap<>();
    captures.put("user", user(i));
    Map<String, String> errors = new LinkedHashMap<>();
    // As the tracer does: an unreadable value is null in captures and named in errors.
    captures.put("n", nUnreadable(i) ? null : n(i));
    if (nUnreadable(i)) errors.put("n", "cannot read 8 bytes at 0x0");
    captures.put("big", big(i));
    captures.put("ok", ok(i));
    captures.put("err", err(i));
    Map<String, Object> money = new LinkedHashMap<>();
    money.put("Units", units(i));
    money.put("Currency", currency(i));
    captures.put("l", money);
    captures.put("tags", List.of(tag(i), "x"));
    captures.put("ratio", ratio(i));
    return new Row(
        tracepoint, ts(i), pid(i), pid(i) + 1, 1000 + i, "main.Sum", latency(i), captures, errors);
  }

  /** A registry holding one tracepoint {@code name} with rows 0..N-1 appended in order. */
  public static TracepointRegistry registry(String name) {
    TracepointRegistry reg = new TracepointRegistry(StoreConfig.DEFAULT);
    StoredTracepoint tp =
        reg.register(
            new TracepointInfo(name, "main.Sum", "pid 100", CAPTURES, true, List.of()),
            () -> new ProbeCounters(N, N, 0, new long[0], new long[] {N}, 0, 0, 0, 0, 0, 0, 0, 2));
    for (int i = 0; i < N; i++) tp.append(row(name, i));
    return reg;
  }

  /** Indexes i (ascending) for which {@code p} holds. */
  public static List<Integer> where(IntPredicate p) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < N; i++) if (p.test(i)) out.add(i);
    return out;
  }

  /** The index of a row of this dataset (from its goid). */
  public static int index(Row r) {
    return (int) (r.goid() - 1000);
  }
}
