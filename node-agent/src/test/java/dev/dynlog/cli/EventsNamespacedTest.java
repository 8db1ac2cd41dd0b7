package dev.dynlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.http.AgentHttpServer;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.store.Placement;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.trace.Row;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code dynlog events NS/NAME} and {@code -n NS NAME} against a real agent HTTP server holding a
 * node agent's tracepoint: the namespaced path, the POD column, and names that only look
 * namespaced.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventsNamespacedTest {

  private TracepointRegistry registry;
  private DynlogMetrics metrics;
  private AgentHttpServer server;
  private String agent;

  record Result(int exit, String out, String err) {}

  static Row row(int i, String pod) {
    return new Row(
        "shop/login",
        1_000_000_000L * (i + 1),
        100 + i,
        100 + i,
        -1,
        "main.Login",
        -1,
        Map.of("n", (long) i),
        Map.of(),
        new Row.Source("shop", pod, "app", "node-a"));
  }

  @BeforeEach
  void start() throws Exception {
    registry = new TracepointRegistry(StoreConfig.DEFAULT);
    StoredTracepoint tp =
        registry.register(
            new TracepointInfo(
                "shop/login", "main.Login", "node node-a", List.of("n"), false, List.of()),
            new Placement("shop", "login", "node-a"),
            List::of);
    for (int i = 0; i < 4; i++) tp.append(row(i, i % 2 == 0 ? "web-1" : "web-2"));
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

  @Test
  void bothFormsAskTheNamespacedPathAndTheTableShowsThePod() {
    for (String[] args :
        List.of(
            new String[] {"events", "shop/login", "--agent", agent, "--where", "pod=web-2"},
            new String[] {
              "events", "-n", "shop", "login", "--agent", agent, "--where", "pod=web-2"
            },
            new String[] {
              "events", "login", "--namespace", "shop", "--agent", agent, "--where", "pod=web-2"
            })) {
      Result r = run(args);
      assertEquals(0, r.exit(), r.err());
      String[] lines = r.out().split("\n");
      assertEquals(3, lines.length, r.out());
      assertTrue(lines[0].startsWith("TIME            POD "), lines[0]);
      assertEquals(new RowTable(null, false, false, true).format(row(1, "web-2")), lines[1]);
      assertTrue(lines[1].contains(" web-2 "), lines[1]);
      assertTrue(lines[2].contains("n=3"), lines[2]);
    }
    Result jsonl =
        run("events", "shop/login", "--agent", agent, "--output", "jsonl", "--limit", "1");
    assertTrue(
        jsonl.out().contains("\"pod\":\"web-2\",\"container\":\"app\",\"node\":\"node-a\""),
        jsonl.out());
  }

  @Test
  void urlsAndMistakes() {
    EventsCommand c = parse("events", "shop/login", "--agent", "http://h:1");
    assertTrue(
        c.url()
            .toString()
            .startsWith("http://h:1/api/v1/namespaces/shop/tracepoints/login/events?"),
        c.url().toString());
    // a Go function with a package path is a standalone name, not namespace/name
    EventsCommand go = parse("events", "github.com/org/pkg.(*T).F", "--agent", "http://h:1");
    assertNull(go.namespaced());
    assertTrue(
        go.url().toString().contains("/api/v1/tracepoints/github.com%2Forg%2Fpkg."),
        go.url().toString());

    Result mismatch = run("events", "-n", "blog", "shop/login", "--agent", agent);
    assertEquals(1, mismatch.exit(), mismatch.err());
    assertTrue(
        mismatch
            .err()
            .contains(
                "tracepoint 'shop/login' names namespace 'shop' but --namespace is 'blog'; give one of them"),
        mismatch.err());
    Result badNs = run("events", "-n", "Shop", "login", "--agent", agent);
    assertTrue(
        badNs.err().contains("--namespace 'Shop' is not a Kubernetes namespace"), badNs.err());
    Result missing = run("events", "-n", "shop", "logn", "--agent", agent);
    assertEquals(1, missing.exit(), missing.err());
    assertTrue(
        missing
            .err()
            .contains(
                "no tracepoint 'logn' in namespace 'shop' on this agent; tracepoints in shop: login"),
        missing.err());
  }

  private static EventsCommand parse(String... args) {
    EventsCommand c = new EventsCommand();
    new CommandLine(c).parseArgs(Arrays.copyOfRange(args, 1, args.length));
    return c;
  }
}
