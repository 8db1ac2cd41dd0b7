package dev.dynlog.query;

import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.trace.Row;
import java.util.ArrayList;
import java.util.List;

/** Runs a {@link Query} over a tracepoint's buffered rows. */
public final class QueryEngine {

  private QueryEngine() {}

  /**
   * The matching rows, at most {@link Query#limit()}, newest first or oldest first (by arrival in
   * the buffer: a row arrives when its call returns).
   *
   * @throws BadQueryException when a {@code where} names no capture of the tracepoint
   */
  public static List<Row> run(StoredTracepoint tracepoint, Query query) {
    query.validate(tracepoint.info(), tracepoint.placement() != null);
    if (query.limit() == 0) return List.of();
    Row[] rows = tracepoint.buffer().snapshot();
    List<Row> out = new ArrayList<>(Math.min(query.limit(), 1024));
    if (query.order() == Order.NEWEST) {
      for (int i = rows.length - 1; i >= 0 && out.size() < query.limit(); i--) {
        if (query.test(rows[i])) out.add(rows[i]);
      }
    } else {
      for (int i = 0; i < rows.length && out.size() < query.limit(); i++) {
        if (query.test(rows[i])) out.add(rows[i]);
      }
    }
    return out;
  }
}
