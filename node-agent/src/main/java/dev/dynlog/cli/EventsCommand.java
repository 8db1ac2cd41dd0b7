package dev.dynlog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.query.BadQueryException;
import dev.dynlog.query.Durations;
import dev.dynlog.query.Order;
import dev.dynlog.query.Where;
import dev.dynlog.trace.Row;
import dev.dynlog.trace.RowJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dynlog events}: rows of one tracepoint from an agent's query API, as a table or JSONL,
 * optionally following new rows live. Rows print oldest first; {@code --order} chooses whether the
 * {@code --limit} rows are the newest (default) or the oldest matching ones.
 */
@Command(
    name = "events",
    mixinStandardHelpOptions = true,
    description =
        "Show the captured calls of a tracepoint from a running dynlog agent or `dynlog trace --http`.")
public final class EventsCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "TRACEPOINT",
      description = "Tracepoint name (its --name, or the function name).")
  String tracepoint;

  @Option(
      names = "--agent",
      paramLabel = "URL",
      defaultValue = "${env:DYNLOG_AGENT}",
      description = "Agent base URL, e.g. http://127.0.0.1:9464 (default: $DYNLOG_AGENT).")
  String agent;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description = "Rows from this time on: RFC 3339, or a duration ago (5m, 1h30m).")
  String since;

  @Option(
      names = "--until",
      paramLabel = "TIME",
      description = "Rows before this time: RFC 3339, or a duration ago.")
  String until;

  @Option(
      names = "--where",
      paramLabel = "PREDICATE",
      description =
          "NAME OP VALUE on a captured value; OP: = != < <= > >= contains. Repeat to AND. e.g. 'user=alice', 'l.Units>100'.")
  List<String> where = new ArrayList<>();

  @Option(
      names = "--min-latency",
      paramLabel = "DURATION",
      description = "Only calls at least this slow (e.g. 10ms).")
  String minLatency;

  @Option(names = "--pid", paramLabel = "PID", description = "Only this process.")
  Integer pid;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "At most N rows (default 1000; with -f, N rows of history).")
  Integer limit;

  @Option(
      names = "--order",
      paramLabel = "newest|oldest",
      defaultValue = "newest",
      description =
          "Take the newest (default) or the oldest matching rows; they print oldest first either way.")
  String order;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new rows as they arrive.")
  boolean follow;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "table|jsonl",
      defaultValue = "table",
      description = "table or jsonl.")
  String output;

  @Override
  public Integer call() throws Exception {
    URI url = url();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest request =
        HttpRequest.newBuilder(url).header("Accept", "application/x-ndjson").GET().build();
    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException e) {
      throw new IllegalStateException(
          "cannot reach the agent at " + agent + " (connection refused)");
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach the agent at " + agent + ": " + e);
    }
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      if (response.statusCode() != 200)
        throw new IllegalStateException(errorMessage(response.statusCode(), in));
      Printer printer =
          new Printer(
              spec.commandLine().getOut(), spec.commandLine().getErr(), output.equals("table"));
      List<Row> rows = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) continue;
        JsonNode node = JSON.readTree(line);
        if (node.has("dropped") && !node.has("ts")) {
          printer.err.println(
              "dynlog events: missed "
                  + node.get("dropped").asLong()
                  + " rows (reading too slowly)");
          printer.err.flush();
        } else if (follow) {
          printer.print(RowJson.fromJson(node, tracepoint));
        } else {
          rows.add(RowJson.fromJson(node, tracepoint));
        }
      }
      if (!follow) {
        if (Order.parse(order) == Order.NEWEST) Collections.reverse(rows);
        for (Row row : rows) printer.print(row);
        if (rows.isEmpty() && printer.table) {
          printer.err.println("dynlog events: no matching rows");
          printer.err.flush();
        }
      }
    }
    return 0;
  }

  /** The events URL, after checking every option locally so that mistakes are caught early. */
  URI url() {
    if (agent == null || agent.isBlank()) {
      throw new IllegalArgumentException(
          "--agent URL is required (or set DYNLOG_AGENT), e.g. --agent http://127.0.0.1:9464");
    }
    if (!output.equals("table") && !output.equals("jsonl")) {
      throw new IllegalArgumentException("--output must be table or jsonl, got '" + output + "'");
    }
    if (limit != null && limit < 0)
      throw new IllegalArgumentException("--limit must be 0 or more, got " + limit);
    if (pid != null && pid <= 0)
      throw new IllegalArgumentException("--pid must be a positive process id, got " + pid);
    StringJoiner q = new StringJoiner("&");
    try {
      if (follow && Order.parse(order) == Order.NEWEST) {
        q.add("follow=true");
      } else if (follow) {
        throw new IllegalArgumentException(
            "--follow shows the newest rows then new ones; it cannot be combined with --order oldest");
      } else {
        q.add("order=" + Order.parse(order).name().toLowerCase(Locale.ROOT));
      }
      for (String w : where) {
        Where.parse(w);
        q.add("where=" + encode(w));
      }
      if (minLatency != null) {
        Durations.parseNanos(minLatency, "--min-latency");
        q.add("min_latency=" + encode(minLatency));
      }
    } catch (BadQueryException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    if (since != null) q.add("since=" + encode(since));
    if (until != null) q.add("until=" + encode(until));
    if (pid != null) q.add("pid=" + pid);
    if (limit != null) q.add("limit=" + limit);
    q.add("format=jsonl");
    String base = agent.endsWith("/") ? agent.substring(0, agent.length() - 1) : agent;
    try {
      return URI.create(base + "/api/v1/tracepoints/" + encode(tracepoint) + "/events?" + q);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--agent '" + agent + "' is not a URL (e.g. http://127.0.0.1:9464)");
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private String errorMessage(int status, BufferedReader in) throws IOException {
    StringBuilder body = new StringBuilder();
    String line;
    while ((line = in.readLine()) != null) body.append(line);
    try {
      JsonNode node = JSON.readTree(body.toString());
      if (node != null && node.has("error")) return node.get("error").asText();
    } catch (IOException e) {
      // Not our agent's JSON error; show the status.
    }
    return "the agent at " + agent + " answered HTTP " + status;
  }

  /** Prints rows as a table (header on the first row) or as JSONL. */
  private static final class Printer {
    final PrintWriter out;
    final PrintWriter err;
    final boolean table;
    private RowTable rowTable;

    Printer(PrintWriter out, PrintWriter err, boolean table) {
      this.out = out;
      this.err = err;
      this.table = table;
    }

    void print(Row row) {
      if (!table) {
        out.println(RowJson.toJson(row));
        out.flush();
        return;
      }
      if (rowTable == null) {
        rowTable = new RowTable(out, row.goid() != -1, row.latencyNs() != -1);
        rowTable.printHeader();
      }
      rowTable.print(row);
    }
  }
}
