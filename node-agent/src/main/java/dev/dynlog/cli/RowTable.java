package dev.dynlog.cli;

import dev.dynlog.trace.Row;
import dev.dynlog.trace.RowJson;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * Prints rows as a live terminal table, one line per call, as they come: fixed columns TIME (UTC,
 * microseconds), POD (rows of a node agent), PID, TID, GOID (Go only), LATENCY (when measured),
 * then {@code name=value} for each capture (values as compact JSON, cut to {@link #MAX_VALUE_WIDTH}
 * characters) and {@code name=!message} for values that could not be read.
 */
public final class RowTable {

  /** Widest value shown; longer values end with an ellipsis. */
  public static final int MAX_VALUE_WIDTH = 80;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  private final PrintWriter out;
  private final boolean goid;
  private final boolean latency;
  private final boolean pod;

  /** Widest pod name shown in full (the column grows no wider). */
  public static final int POD_WIDTH = 30;

  /**
   * @param goid show the GOID column (Go targets)
   * @param latency show the LATENCY column
   */
  public RowTable(PrintWriter out, boolean goid, boolean latency) {
    this(out, goid, latency, false);
  }

  /**
   * @param goid show the GOID column (Go targets)
   * @param latency show the LATENCY column
   * @param pod show the POD column (rows that carry where they ran, from a node agent)
   */
  public RowTable(PrintWriter out, boolean goid, boolean latency, boolean pod) {
    this.out = out;
    this.goid = goid;
    this.latency = latency;
    this.pod = pod;
  }

  /** Prints the column headings. */
  public void printHeader() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%-15s", "TIME"));
    if (pod) b.append(String.format(Locale.ROOT, " %-" + POD_WIDTH + "s", "POD"));
    b.append(String.format(Locale.ROOT, " %7s %7s", "PID", "TID"));
    if (goid) b.append(String.format(Locale.ROOT, " %8s", "GOID"));
    if (latency) b.append(String.format(Locale.ROOT, " %10s", "LATENCY"));
    b.append("  CAPTURES");
    out.println(b);
    out.flush();
  }

  /** Prints one row and flushes. */
  public void print(Row row) {
    out.println(format(row));
    out.flush();
  }

  /** The table line of one row. */
  public String format(Row row) {
    StringBuilder b = new StringBuilder();
    Instant t =
        Instant.ofEpochSecond(
            Math.floorDiv(row.epochNanos(), 1_000_000_000L),
            Math.floorMod(row.epochNanos(), 1_000_000_000L));
    b.append(String.format(Locale.ROOT, "%-15s", TIME.format(t)));
    if (pod) {
      String name = row.source() == null ? "-" : row.source().pod();
      if (name.length() > POD_WIDTH) name = name.substring(0, POD_WIDTH - 1) + "…";
      b.append(String.format(Locale.ROOT, " %-" + POD_WIDTH + "s", name));
    }
    b.append(String.format(Locale.ROOT, " %7d %7d", row.pid(), row.tid()));
    if (goid)
      b.append(
          String.format(Locale.ROOT, " %8s", row.goid() == -1 ? "-" : Long.toString(row.goid())));
    if (latency)
      b.append(
          String.format(
              Locale.ROOT, " %10s", row.latencyNs() == -1 ? "-" : formatLatency(row.latencyNs())));
    b.append(' ');
    if (row.captures() != null) {
      for (Map.Entry<String, Object> e : row.captures().entrySet()) {
        b.append(' ').append(e.getKey()).append('=').append(cut(RowJson.valueToJson(e.getValue())));
      }
    }
    if (row.errors() != null) {
      for (Map.Entry<String, String> e : row.errors().entrySet()) {
        b.append(' ').append(e.getKey()).append("=!").append(cut(e.getValue()));
      }
    }
    return b.toString();
  }

  /** A latency for people: 812ns, 12.3µs, 4.56ms, 1.23s. */
  public static String formatLatency(long ns) {
    if (ns < 1_000) return ns + "ns";
    if (ns < 1_000_000) return threeDigits(ns / 1e3) + "µs";
    if (ns < 1_000_000_000) return threeDigits(ns / 1e6) + "ms";
    return threeDigits(ns / 1e9) + "s";
  }

  private static String threeDigits(double v) {
    if (v >= 100) return String.format(Locale.ROOT, "%.0f", v);
    if (v >= 10) return String.format(Locale.ROOT, "%.1f", v);
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String cut(String s) {
    return s.length() <= MAX_VALUE_WIDTH ? s : s.substring(0, MAX_VALUE_WIDTH - 1) + "…";
  }
}
