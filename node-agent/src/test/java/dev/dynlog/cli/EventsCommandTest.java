package dev.dynlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.dynlog.http.AgentHttpServer;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.query.Dataset;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.store.TracepointState;
import dev.dynlog.trace.Row;
import dev.dynlog.trace.RowJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code dynlog events} through {@link Main}, against a real agent HTTP server on 127.0.0.1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventsCommandTest {

  private static final String NAME = "main.Sum";

  private TracepointRegistry registry;
  private DynlogMetrics metrics;
  private AgentHttpServer server;
  private String agent;

  /** What one run printed. */
  record Result(int exit, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    registry = Dataset.registry(NAME);
    metrics = new DynlogMetrics(registry);
    server = AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, metrics);
    agent = server.baseUri().toString();
  }

  @AfterEach
  void stop() {
    server.close();
    metrics.close();
  }

  private static synchronized Result run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int exit = Main.run(args);
      return new Result(
          exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static List<Integer> indexes(String jsonl) {
    List<Integer> out = new ArrayList<>();
    for (String line : jsonl.split("\n"))
      if (!line.isEmpty()) out.add(Dataset.index(RowJson.fromJson(line, NAME)));
    return out;
  }

  @Test
  void jsonlRowsMatchGroundTruthOldestFirst() {
    Result r =
        run(
            "events",
            NAME,
            "--agent",
            agent,
            "--where",
            "user=user3",
            "--where",
            "l.Units>40",
            "--min-latency",
            "3ms",
            "--output",
            "jsonl");
    assertEquals(0, r.exit(), r.err());
    List<Integer> want =
        Dataset.where(
            i ->
                Dataset.user(i).equals("user3")
                    && Dataset.units(i) > 40
                    && Dataset.latency(i) >= 3_000_000);
    assertTrue(!want.isEmpty());
    assertEquals(want, indexes(r.out()));
    String first = r.out().split("\n")[0];
    assertEquals(RowJson.toJson(Dataset.row(NAME, want.get(0))), first);
  }

  @Test
  void limitTakesTheNewestOrTheOldestAndPrintsThemInOrder() {
    Result newest =
        run("events", NAME, "--agent", agent, "--pid", "300", "--limit", "3", "--output", "jsonl");
    List<Integer> pid300 = Dataset.where(i -> Dataset.pid(i) == 300);
    assertEquals(pid300.subList(pid300.size() - 3, pid300.size()), indexes(newest.out()));
    Result oldest =
        run(
            "events",
            NAME,
            "--agent",
            agent,
            "--pid",
            "300",
            "--limit",
            "3",
            "--order",
            "oldest",
            "--output",
            "jsonl");
    assertEquals(pid300.subList(0, 3), indexes(oldest.out()));
  }

  @Test
  void tableOutput() {
    Result r = run("events", NAME, "--agent", agent, "--limit", "2");
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().split("\n");
    assertEquals(3, lines.length, r.out());
    assertTrue(
        lines[0].startsWith("TIME") && lines[0].contains("GOID") && lines[0].contains("LATENCY"),
        lines[0]);
    Row last = Dataset.row(NAME, Dataset.N - 1);
    assertEquals(new RowTable(null, true, true).format(last), lines[2]);
    assertTrue(lines[2].contains("user=\"user5\""), lines[2]);
    String money =
        "l={\"Units\":"
            + Dataset.units(Dataset.N - 1)
            + ",\"Currency\":\""
            + Dataset.currency(Dataset.N - 1)
            + "\"}";
    assertTrue(lines[2].contains(money), lines[2]);
  }

  @Test
  void emptyResultAndLimitZero() {
    Result none = run("events", NAME, "--agent", agent, "--where", "user=nobody");
    assertEquals(0, none.exit());
    assertEquals("", none.out());
    assertTrue(none.err().contains("no matching rows"), none.err());
    Result zero = run("events", NAME, "--agent", agent, "--limit", "0", "--output", "jsonl");
    assertEquals(0, zero.exit());
    assertEquals("", zero.out());
  }

  @Test
  void unknownFieldIsAClearError() {
    Result r = run("events", NAME, "--agent", agent, "--where", "usr=alice");
    assertEquals(1, r.exit());
    assertEquals(
        "dynlog events: unknown field 'usr' in where 'usr=alice': tracepoint 'main.Sum' captures "
            + "user, n, big, ok, err, l, tags, ratio",
        r.err().strip());
  }

  @Test
  void badOptionsAreCaughtBeforeAsking() {
    assertError("where 'n>>1': operator > needs a number, got '>1'", "--where", "n>>1");
    assertError("is not NAME OP VALUE", "--where", "n is 1");
    assertError("--min-latency: '10' is not a duration", "--min-latency", "10");
    assertError("--output must be table or jsonl", "--output", "xml");
    assertError("since: 'yesterday' is neither", "--since", "yesterday");
    Result r = run("events", "nope", "--agent", agent);
    assertTrue(r.err().contains("no tracepoint 'nope'; tracepoints: main.Sum"), r.err());
  }

  /** Each mistake in an option is said in that option's words before the agent is asked. */
  @Test
  void optionMistakesAreSaidInTheOptionsWords() {
    assertExact("--where 'n>>1': operator > needs a number, got '>1'", "--where", "n>>1");
    assertExact(
        "--where 'n is 1' is not NAME OP VALUE: OP is one of = != < <= > >= contains"
            + " (e.g. username=alice, l.Units>100, path contains /api)",
        "--where",
        "n is 1");
    assertExact("--order must be 'newest' or 'oldest', got 'new'", "--order", "new");
    assertExact(
        "--since: 'yesterday' is neither an RFC 3339 time (e.g. 2026-01-02T15:04:05Z)"
            + " nor a duration ago (e.g. 5m, 1h30m)",
        "--since",
        "yesterday");
    assertExact(
        "--until: '2026-13-01T00:00:00Z' is not an RFC 3339 time (e.g. 2026-01-02T15:04:05.123456789Z)",
        "--until",
        "2026-13-01T00:00:00Z");
    assertExact(
        "--min-latency: '10' is not a duration; write e.g. 100us, 10ms, 1.5s, 5m, 1h30m",
        "--min-latency",
        "10");
    assertExact("--limit must be 0 or more, not -1", "--limit", "-1");
    assertExact("--pid must be a positive process id, not 0", "--pid", "0");
  }

  /** {@code --agent} must be an http(s) URL with a host; the message says what to write. */
  @Test
  void theAgentMustBeAnHttpUrl() {
    assertAgent(
        "--agent 'nonsense' is not a URL; write http://HOST:PORT, e.g. http://127.0.0.1:9464",
        "nonsense");
    assertAgent(
        "--agent '127.0.0.1:9464' is not a URL; write http://127.0.0.1:9464", "127.0.0.1:9464");
    assertAgent(
        "--agent 'http://' is not a URL; write http://HOST:PORT, e.g. http://127.0.0.1:9464",
        "http://");
    assertAgent(
        "--agent 'ftp://x' must be an http:// or https:// URL; write http://HOST:PORT,"
            + " e.g. http://127.0.0.1:9464",
        "ftp://x");
    assertAgent(
        "--agent 'http:///x' has no host; write http://HOST:PORT, e.g. http://127.0.0.1:9464",
        "http:///x");
    assertAgent(
        "cannot reach the agent at http://no-such-host.invalid:9464 (unknown host"
            + " no-such-host.invalid)",
        "http://no-such-host.invalid:9464");
  }

  /** Something else than an agent at the address is named as such, not as a JSON parse error. */
  @Test
  void anAnswerThatIsNotRowsSaysSo() throws Exception {
    HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    other.createContext(
        "/",
        exchange -> {
          byte[] page = "<html>hello</html>\n".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, page.length);
          exchange.getResponseBody().write(page);
          exchange.close();
        });
    other.start();
    try {
      String url = "http://127.0.0.1:" + other.getAddress().getPort();
      assertAgent(
          "the answer of "
              + url
              + " is not rows of a dynlog agent; give --agent the address of an agent or of"
              + " dynlog trace --http, e.g. http://127.0.0.1:9464",
          url);
    } finally {
      other.stop(0);
    }
  }

  private static void assertAgent(String message, String agentUrl) {
    Result r = run("events", NAME, "--agent", agentUrl);
    assertEquals(new Result(1, "", "dynlog events: " + message + "\n"), r);
  }

  private void assertExact(String message, String... options) {
    List<String> args = new ArrayList<>(List.of("events", NAME, "--agent", agent));
    args.addAll(List.of(options));
    Result r = run(args.toArray(String[]::new));
    assertEquals(new Result(1, "", "dynlog events: " + message + "\n"), r);
  }

  private void assertError(String message, String... options) {
    List<String> args = new ArrayList<>(List.of("events", NAME, "--agent", agent));
    args.addAll(List.of(options));
    Result r = run(args.toArray(String[]::new));
    assertEquals(1, r.exit(), r.out());
    assertTrue(r.err().contains(message), r.err());
  }

  @Test
  void unreachableAgent() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Result r = run("events", NAME, "--agent", "http://127.0.0.1:" + port);
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("cannot reach the agent at http://127.0.0.1:" + port), r.err());
  }

  @Test
  void followPrintsNewRowsUntilTheTracepointStops() throws Exception {
    StoredTracepoint tp = registry.find(NAME).orElseThrow();
    CompletableFuture<Result> follow =
        CompletableFuture.supplyAsync(
            () ->
                run(
                    "events",
                    NAME,
                    "--agent",
                    agent,
                    "-f",
                    "--limit",
                    "1",
                    "--where",
                    "ok=true",
                    "--output",
                    "jsonl"));
    while (tp.buffer().subscribers() == 0) Thread.sleep(10);
    for (int i = Dataset.N; i < Dataset.N + 10; i++) tp.append(Dataset.row(NAME, i));
    registry.stop(NAME, TracepointState.STOPPED, "done");
    Result r = follow.get(30, TimeUnit.SECONDS);
    assertEquals(0, r.exit(), r.err());
    List<Integer> want = new ArrayList<>(List.of(Dataset.N - 2));
    for (int i = Dataset.N; i < Dataset.N + 10; i += 2) want.add(i);
    assertEquals(want, indexes(r.out()));
  }
}
