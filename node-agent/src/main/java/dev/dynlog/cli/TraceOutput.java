package dev.dynlog.cli;

import dev.dynlog.agent.StandaloneSession.Resolved;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.symbols.Language;
import dev.dynlog.trace.Row;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Consumer;

/** Prints rows of {@code dynlog trace}/{@code run} as a live table or as JSON lines, as they arrive. */
final class TraceOutput implements Consumer<Row> {

  /** Output formats. */
  enum Format { table, jsonl }

  private final Format format;
  private final PrintWriter out;
  private RowTable table;
  /** Width of the TRACEPOINT column, shown when several tracepoints print into one table; 0 = none. */
  private int nameWidth;

  TraceOutput(Format format, PrintWriter out) {
    this.format = format;
    this.out = out;
  }

  /** Called once probes are attached: sets up the table's columns. */
  void start(List<Resolved> resolved) {
    if (format != Format.table) return;
    boolean go = resolved.stream().map(Resolved::plan).map(ProbePlan::language).anyMatch(l -> l == Language.GO);
    boolean latency = resolved.stream().anyMatch(r -> r.request().latency());
    synchronized (this) {
      if (resolved.size() > 1) {
        nameWidth = Math.max("TRACEPOINT".length(), resolved.stream().mapToInt(r -> r.request().name().length()).max().orElse(0));
      }
      java.io.StringWriter header = new java.io.StringWriter();
      new RowTable(new PrintWriter(header), go, latency).printHeader();
      table = new RowTable(out, go, latency);
      out.print(column("TRACEPOINT"));
      out.print(header);
      out.flush();
    }
  }

  private String column(String name) {
    return nameWidth == 0 ? "" : String.format(java.util.Locale.ROOT, "%-" + nameWidth + "s ", name);
  }

  @Override
  public synchronized void accept(Row row) {
    if (format == Format.jsonl) {
      out.println(RowJson.toJson(row));
      out.flush();
    } else if (table != null) {
      out.println(column(row.tracepoint()) + table.format(row));
      out.flush();
    }
  }
}
