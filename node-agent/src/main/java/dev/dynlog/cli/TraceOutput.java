package dev.dynlog.cli;

import dev.dynlog.agent.StandaloneSession.Resolved;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.symbols.Language;
import dev.dynlog.trace.Row;
import dev.dynlog.trace.RowJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Prints rows of {@code dynlog trace}/{@code run} as a live table or as JSON lines, as they arrive.
 * Rows that arrive before the table is set up (a call between the attach and {@link #start}) are
 * held (up to {@value #MAX_EARLY}) and printed right after the header.
 */
final class TraceOutput implements Consumer<Row> {

  /** Output formats. */
  enum Format {
    table,
    jsonl
  }

  /** Rows held before the header at most; more are counted and reported after the header. */
  static final int MAX_EARLY = 10_000;

  private final Format format;
  private final PrintWriter out;
  private RowTable table;
  private List<Row> early = new ArrayList<>();
  private long earlyDropped;

  /**
   * Width of the TRACEPOINT column, shown when several tracepoints print into one table; 0 = none.
   */
  private int nameWidth;

  TraceOutput(Format format, PrintWriter out) {
    this.format = format;
    this.out = out;
  }

  /** Called once probes are attached: sets up the table's columns and prints the held rows. */
  synchronized void start(List<Resolved> resolved) {
    if (format != Format.table) return;
    boolean go =
        resolved.stream()
            .map(Resolved::plan)
            .map(ProbePlan::language)
            .anyMatch(l -> l == Language.GO);
    boolean latency = resolved.stream().anyMatch(r -> r.tracepoint().probe().isLatency());
    if (resolved.size() > 1) {
      nameWidth =
          Math.max(
              "TRACEPOINT".length(),
              resolved.stream().mapToInt(r -> r.tracepoint().name().length()).max().orElse(0));
    }
    StringWriter header = new StringWriter();
    new RowTable(new PrintWriter(header), go, latency).printHeader();
    table = new RowTable(out, go, latency);
    out.print(column("TRACEPOINT"));
    out.print(header);
    for (Row row : early) print(row);
    if (earlyDropped > 0)
      out.println(
          "(" + earlyDropped + " more rows arrived before the header and were not printed)");
    early = null;
    out.flush();
  }

  private String column(String name) {
    return nameWidth == 0 ? "" : String.format(Locale.ROOT, "%-" + nameWidth + "s ", name);
  }

  @Override
  public synchronized void accept(Row row) {
    if (format == Format.jsonl) {
      out.println(RowJson.toJson(row));
    } else if (table == null) {
      if (early.size() < MAX_EARLY) early.add(row);
      else earlyDropped++;
      return;
    } else {
      print(row);
    }
    out.flush();
  }

  private void print(Row row) {
    out.println(column(row.tracepoint()) + table.format(row));
  }
}
