package dev.dynlog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.query.BadQueryException;
import dev.dynlog.query.Durations;
import dev.dynlog.query.Order;
import dev.dynlog.query.Timestamps;
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
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dynlog events}: rows of one tracepoint, as a table or JSONL, optionally following new rows
 * live: from an agent's query API ({@code --agent}, with an optional bearer token), or without it
 * from the aggregated query API through the API server the kubeconfig names ({@link ClusterQuery});
 * warnings (headers and {@code {"warning": ...}} lines) go to stderr. Rows print oldest first;
 * {@code --order} chooses whether the {@code --limit} rows are the newest (default) or the oldest
 * matching ones.
 */
@Command(
    name = "events",
    mixinStandardHelpOptions = true,
    description =
        "Show the captured calls of a Kubernetes Tracepoint from every node through the API server"
            + " (the aggregated query API, with the kubeconfig's credentials), or of any tracepoint"
            + " from one agent or `dynlog trace --http` (--agent).")
public final class EventsCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "TRACEPOINT",
      description =
          "Tracepoint name: NAMESPACE/NAME (or NAME with -n) for a Kubernetes Tracepoint traced by"
              + " `dynlog agent`; the --name or function name of `dynlog trace`/`run`.")
  String tracepoint;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NAMESPACE",
      description = "The Kubernetes namespace of the Tracepoint (or write NAMESPACE/NAME).")
  String namespace;

  /** A Kubernetes namespace: a DNS-1123 label. */
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** A Kubernetes object name: a DNS-1123 subdomain. */
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  @Option(
      names = "--agent",
      paramLabel = "URL",
      defaultValue = "${env:DYNLOG_AGENT}",
      description =
          "Ask this agent directly, e.g. http://127.0.0.1:9464 (default: $DYNLOG_AGENT); without"
              + " it, a Kubernetes Tracepoint's rows come from every node through the API server"
              + " (the kubeconfig's credentials).")
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

  @Option(
      names = "--kubeconfig",
      paramLabel = "PATH",
      description =
          "Without --agent: the kubeconfig to reach the API server with (default: KUBECONFIG,"
              + " ~/.kube/config, or the pod's service account).")
  Path kubeconfig;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      description = "Without --agent: the kubeconfig context (default: its current context).")
  String context;

  @Option(
      names = "--token-file",
      paramLabel = "PATH",
      description =
          "With --agent: send the token in this file as Authorization: Bearer (a node agent's"
              + " query API answers only the operator's token).")
  Path tokenFile;

  /** An answer being read: status, the texts of its Warning headers, and its body. */
  record Answer(int status, List<String> warnings, InputStream body) {}

  @Override
  public Integer call() throws Exception {
    if (agent == null || agent.isBlank()) return fromCluster();
    URI url = url();
    HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url).header("Accept", "application/x-ndjson").GET();
    if (tokenFile != null) request.header("Authorization", "Bearer " + token(tokenFile));
    HttpResponse<InputStream> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach the agent at " + agent + " (" + why(e) + ")");
    }
    return print(
        new Answer(response.statusCode(), response.headers().allValues("Warning"), response.body()),
        "the agent at " + agent);
  }

  /**
   * Without {@code --agent}: the rows of a Kubernetes Tracepoint from every node, through the
   * aggregated query API of the API server the kubeconfig names.
   */
  private int fromCluster() throws IOException {
    if (tokenFile != null) {
      throw new IllegalArgumentException(
          "--token-file goes with --agent; through the API server the kubeconfig authenticates");
    }
    String query = query();
    String[] placed = namespaced();
    if (placed == null) {
      throw new IllegalArgumentException(
          "without --agent, events are read through the Kubernetes API server: name a Tracepoint"
              + " as -n NAMESPACE NAME or NAMESPACE/NAME (or give --agent URL for `dynlog trace"
              + " --http`)");
    }
    try (ClusterQuery cluster = ClusterQuery.connect(kubeconfig, context)) {
      return print(
          cluster.get(ClusterQuery.eventsPath(placed[0], placed[1], query), follow),
          "the API server at " + cluster.server());
    }
  }

  /** The token in {@code file}, stripped, or an error saying why it cannot be used. */
  private static String token(Path file) {
    String token;
    try {
      token = Files.readString(file).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException("--token-file " + file + " cannot be read: " + e);
    }
    if (token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException(
          "--token-file " + file + " must hold one token (printable characters, no spaces)");
    }
    return token;
  }

  /** Prints an answer's warnings and rows (or its error); {@code from} names who answered. */
  private int print(Answer answer, String from) throws IOException {
    PrintWriter errOut = spec.commandLine().getErr();
    for (String warning : answer.warnings()) {
      errOut.println("dynlog events: warning: " + warningText(warning));
    }
    errOut.flush();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(answer.body(), StandardCharsets.UTF_8))) {
      if (answer.status() != 200)
        throw new IllegalStateException(errorMessage(answer.status(), in, from));
      Printer printer = new Printer(spec.commandLine().getOut(), errOut, output.equals("table"));
      List<Row> rows = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) continue;
        JsonNode node = row(line, from);
        if (node.has("dropped") && !node.has("ts")) {
          printer.err.println(
              "dynlog events: missed "
                  + node.get("dropped").asLong()
                  + " rows (reading too slowly)");
          printer.err.flush();
        } else if (node.has("warning") && !node.has("ts")) {
          printer.err.println("dynlog events: warning: " + oneLine(node.get("warning").asText()));
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

  /** The text of a {@code Warning: 299 - "text"} header (RFC 7234), or the header as it is. */
  static String warningText(String header) {
    Matcher m = WARNING.matcher(header.strip());
    if (!m.matches()) return oneLine(header.strip());
    return oneLine(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
  }

  /** {@code CODE AGENT "TEXT"} with an optional date after it. */
  private static final Pattern WARNING =
      Pattern.compile("\\d{3} \\S+ \"((?:[^\"\\\\]|\\\\.)*)\"(?: \"[^\"]*\")?");

  /** {@code text} on one line: control characters as visible escapes. */
  static String oneLine(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') out.append("\\n");
      else if (c == '\r') out.append("\\r");
      else if (c == '\t') out.append("\\t");
      else if (Character.isISOControl(c)) out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.toString();
  }

  /** Why a request failed, in words: refused, unknown host, no answer, or the system's reason. */
  private String why(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "unknown host " + agentUri().getHost();
      }
    }
    if (e instanceof HttpTimeoutException) return "no answer within " + TIMEOUT.toSeconds() + " s";
    if (e instanceof ConnectException) return "connection refused";
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && !m.isBlank() && !CLASS_NAME.matcher(m).lookingAt()) return m;
    }
    return "the connection failed";
  }

  /** How long to wait for the agent to accept the connection. */
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** {@code HOST:PORT} without a scheme. */
  private static final Pattern HOST_PORT =
      Pattern.compile("(?:[\\w.-]+|\\[[0-9a-fA-F:.]+\\]):\\d+/?");

  /** A message that starts with an exception's class name, e.g. {@code java.io.EOFException}. */
  private static final Pattern CLASS_NAME =
      Pattern.compile("(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?::|$)");

  /** One line of a JSONL answer as JSON; {@code from} names who answered. */
  private JsonNode row(String line, String from) {
    try {
      JsonNode node = JSON.readTree(line);
      if (node != null && node.isObject()) return node;
    } catch (IOException e) {
      // said below
    }
    if (agent == null || agent.isBlank()) {
      throw new IllegalStateException(
          "the answer of " + from + " is not rows of the dynlog query API: " + excerpt(line));
    }
    throw new IllegalStateException(
        "the answer of "
            + agent
            + " is not rows of a dynlog agent; give --agent the address of an agent or of"
            + " dynlog trace --http, e.g. http://127.0.0.1:9464");
  }

  /** {@code --agent} as an http(s) URL with a host, or an error saying what to write. */
  URI agentUri() {
    String text = agent.strip();
    String example = "write http://HOST:PORT, e.g. http://127.0.0.1:9464";
    if (!text.contains("://")) {
      throw new IllegalArgumentException(
          "--agent '"
              + agent
              + "' is not a URL; "
              + (HOST_PORT.matcher(text).matches() ? "write http://" + text : example));
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--agent '" + agent + "' is not a URL; " + example);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "--agent '" + agent + "' must be an http:// or https:// URL; " + example);
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("--agent '" + agent + "' has no host; " + example);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "--agent '" + agent + "' must be the agent's base URL, without ? or #; " + example);
    }
    return uri;
  }

  /** The agent's events URL, after checking every option locally (mistakes are said early). */
  URI url() {
    if (agent == null || agent.isBlank()) {
      throw new IllegalArgumentException(
          "--agent URL is required (or set DYNLOG_AGENT), e.g. --agent http://127.0.0.1:9464");
    }
    URI agentUri = agentUri();
    String q = query();
    String base = agentUri.toString();
    if (base.endsWith("/")) base = base.substring(0, base.length() - 1);
    String[] placed = namespaced();
    if (placed == null) {
      return URI.create(base + "/api/v1/tracepoints/" + encode(tracepoint) + "/events?" + q);
    }
    return URI.create(
        base
            + "/api/v1/namespaces/"
            + encode(placed[0])
            + "/tracepoints/"
            + encode(placed[1])
            + "/events?"
            + q);
  }

  /** The query string of the options, checked locally so that mistakes are said early. */
  String query() {
    if (!output.equals("table") && !output.equals("jsonl")) {
      throw new IllegalArgumentException("--output must be table or jsonl, not '" + output + "'");
    }
    if (limit != null && limit < 0)
      throw new IllegalArgumentException("--limit must be 0 or more, not " + limit);
    if (pid != null && pid <= 0)
      throw new IllegalArgumentException("--pid must be a positive process id, not " + pid);
    StringJoiner q = new StringJoiner("&");
    try {
      Order o = Order.parse(order);
      if (follow && o == Order.NEWEST) {
        q.add("follow=true");
      } else if (follow) {
        throw new IllegalArgumentException(
            "--follow shows the newest rows then new ones; it cannot be combined with --order oldest");
      } else {
        q.add("order=" + o.name().toLowerCase(Locale.ROOT));
      }
      for (String w : where) {
        Where.parse(w);
        q.add("where=" + encode(w));
      }
      if (minLatency != null) {
        Durations.parseNanos(minLatency, "--min-latency");
        q.add("min_latency=" + encode(minLatency));
      }
      Instant now = Instant.now();
      if (since != null) Timestamps.parseEpochNanos(since, now, "--since");
      if (until != null) Timestamps.parseEpochNanos(until, now, "--until");
    } catch (BadQueryException e) {
      throw new IllegalArgumentException(inOptionWords(e.getMessage()));
    }
    if (since != null) q.add("since=" + encode(since));
    if (until != null) q.add("until=" + encode(until));
    if (pid != null) q.add("pid=" + pid);
    if (limit != null) q.add("limit=" + limit);
    q.add("format=jsonl");
    return q.toString();
  }

  /**
   * The namespace and name of a Kubernetes Tracepoint ({@code -n NS NAME} or {@code NS/NAME}), or
   * null for a standalone tracepoint's name. {@code NS/NAME} counts as namespaced only when both
   * parts are valid Kubernetes names, so that a Go function such as {@code
   * github.com/org/pkg.(*T).F} still names a standalone tracepoint.
   */
  String[] namespaced() {
    if (namespace != null) {
      if (!DNS_LABEL.matcher(namespace).matches()) {
        throw new IllegalArgumentException(
            "--namespace '"
                + namespace
                + "' is not a Kubernetes namespace (lower-case letters, digits and '-', at most 63)");
      }
      String name = tracepoint;
      int slash = tracepoint.indexOf('/');
      if (slash >= 0) {
        String given = tracepoint.substring(0, slash);
        if (!given.equals(namespace)) {
          throw new IllegalArgumentException(
              "tracepoint '"
                  + tracepoint
                  + "' names namespace '"
                  + given
                  + "' but --namespace is '"
                  + namespace
                  + "'; give one of them");
        }
        name = tracepoint.substring(slash + 1);
      }
      if (!DNS_SUBDOMAIN.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "tracepoint '"
                + name
                + "' is not a Kubernetes Tracepoint name (lower-case letters, digits, '-' and '.')");
      }
      return new String[] {namespace, name};
    }
    int slash = tracepoint.indexOf('/');
    if (slash < 0) return null;
    String ns = tracepoint.substring(0, slash);
    String name = tracepoint.substring(slash + 1);
    if (DNS_LABEL.matcher(ns).matches() && DNS_SUBDOMAIN.matcher(name).matches()) {
      return new String[] {ns, name};
    }
    return null;
  }

  /**
   * A query parameter's message in the words of its option ({@code where 'x'} → {@code --where
   * 'x'}).
   */
  private static String inOptionWords(String message) {
    if (message.startsWith("where ") || message.startsWith("order ")) return "--" + message;
    return message;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * The one-line message of an error answer: the dynlog {@code {"error": ...}}, or the Kubernetes
   * {@code Status}'s message (e.g. the API server's 403), else the status code.
   */
  private static String errorMessage(int status, BufferedReader in, String from)
      throws IOException {
    StringBuilder body = new StringBuilder();
    String line;
    while ((line = in.readLine()) != null && body.length() < 65_536) body.append(line);
    try {
      JsonNode node = JSON.readTree(body.toString());
      if (node != null && node.hasNonNull("error")) return oneLine(node.get("error").asText());
      if (node != null && "Status".equals(node.path("kind").asText()) && node.hasNonNull("message"))
        return oneLine(node.get("message").asText());
    } catch (IOException e) {
      // Not JSON; show the status.
    }
    return from + " answered HTTP " + status;
  }

  /** At most 60 characters of {@code text}, on one line. */
  private static String excerpt(String text) {
    String one = oneLine(text);
    return one.length() <= 60 ? "'" + one + "'" : "'" + one.substring(0, 60) + "…'";
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
        rowTable = new RowTable(out, row.goid() != -1, row.latencyNs() != -1, row.source() != null);
        rowTable.printHeader();
      }
      rowTable.print(row);
    }
  }
}
