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
      table = new RowTable(out, go, latency);
      table.printHeader();
    }
  }

  @Override
  public synchronized void accept(Row row) {
    if (format == Format.jsonl) {
      out.println(RowJson.toJson(row));
      out.flush();
    } else if (table != null) {
      table.print(row);
    }
  }
}
