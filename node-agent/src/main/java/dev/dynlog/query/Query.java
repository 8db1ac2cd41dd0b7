package dev.dynlog.query;

import dev.dynlog.store.TracepointInfo;
import dev.dynlog.trace.Row;
import java.util.List;
import java.util.function.Predicate;

/**
 * A query over one tracepoint's rows. All conditions combine with AND.
 *
 * @param sinceNanos rows with {@code ts >= since} (epoch ns; {@link Long#MIN_VALUE} for no bound)
 * @param untilNanos rows with {@code ts < until} (epoch ns; {@link Long#MAX_VALUE} for no bound)
 * @param limit at most this many rows (0 gives an empty result)
 * @param order which end of the buffer to take rows from
 * @param pid only this process, or 0 for any
 * @param minLatencyNs only rows with {@code latency_ns >= minLatencyNs}, or -1 for any
 * @param where predicates on captured values
 */
public record Query(
    long sinceNanos,
    long untilNanos,
    int limit,
    Order order,
    int pid,
    long minLatencyNs,
    List<Where> where)
    implements Predicate<Row> {

  /** Limit when none is given. */
  public static final int DEFAULT_LIMIT = 1000;

  /** The largest limit: one answer holds at most a million rows. */
  public static final int MAX_LIMIT = 1_000_000;

  public Query {
    if (limit < 0) throw new BadQueryException("limit must be 0 or more, got " + limit);
    if (limit > MAX_LIMIT)
      throw new BadQueryException("limit must be at most " + MAX_LIMIT + ", got " + limit);
    where = List.copyOf(where);
  }

  /** The newest {@link #DEFAULT_LIMIT} rows, unfiltered. */
  public static Query latest() {
    return new Query(Long.MIN_VALUE, Long.MAX_VALUE, DEFAULT_LIMIT, Order.NEWEST, 0, -1, List.of());
  }

  /**
   * Checks that every {@code where} names a capture of the tracepoint.
   *
   * @throws BadQueryException naming the unknown field and listing the known capture names
   */
  public void validate(TracepointInfo info) {
    validate(info, false);
  }

  /**
   * Checks that every {@code where} names a capture of the tracepoint or, when its rows carry where
   * they ran (a node agent's rows), one of {@link CapturePath#SOURCE_FIELDS}, and that it does not
   * filter on a redacted value ({@link TracepointInfo#whereGuard()}).
   *
   * @throws BadQueryException naming the unknown field and listing the known names, or the
   *     redaction rule that refuses the filter
   */
  public void validate(TracepointInfo info, boolean rowsHaveSource) {
    for (Where w : where) {
      String name = w.path().capture();
      String refusal = info.whereGuard().refusal(w.path().segments());
      if (refusal != null && info.captures().contains(name)) {
        throw new BadQueryException(
            "where "
                + Excerpt.of(w.toString())
                + " is refused: "
                + refusal
                + "; a filter on a redacted value would reveal it");
      }
      if (info.captures().contains(name)) continue;
      if (CapturePath.SOURCE_FIELDS.contains(name)) {
        if (!rowsHaveSource) {
          throw new BadQueryException(
              "where "
                  + Excerpt.of(w.toString())
                  + ": rows of tracepoint '"
                  + info.name()
                  + "' have no "
                  + name
                  + ": it runs outside Kubernetes (only a node agent's rows carry "
                  + String.join(", ", CapturePath.SOURCE_FIELDS)
                  + ")");
        }
        if (w.path().segments().size() > 1) {
          throw new BadQueryException(
              "where "
                  + Excerpt.of(w.toString())
                  + ": "
                  + name
                  + " is a name, it has no fields; write e.g. "
                  + name
                  + "=NAME");
        }
        continue;
      }
      throw new BadQueryException(
          "unknown field "
              + Excerpt.of(name)
              + " in where "
              + Excerpt.of(w.toString())
              + ": tracepoint '"
              + info.name()
              + "' captures "
              + (info.captures().isEmpty() ? "nothing" : String.join(", ", info.captures()))
              + (rowsHaveSource
                  ? "; rows also carry " + String.join(", ", CapturePath.SOURCE_FIELDS)
                  : ""));
    }
  }

  /** True when {@code row} meets every condition (the limit and order aside). */
  @Override
  public boolean test(Row row) {
    if (row.epochNanos() < sinceNanos || row.epochNanos() >= untilNanos) return false;
    if (pid != 0 && row.pid() != pid) return false;
    if (minLatencyNs >= 0 && row.latencyNs() < minLatencyNs) return false;
    for (Where w : where) {
      if (!w.test(row)) return false;
    }
    return true;
  }
}
