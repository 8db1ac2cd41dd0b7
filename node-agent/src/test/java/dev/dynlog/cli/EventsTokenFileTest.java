package dev.dynlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.http.AgentHttpServer;
import dev.dynlog.http.QueryAuthenticator;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.store.Placement;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code dynlog events --agent URL --token-file F} against an agent whose query API needs a bearer
 * token: with the right token the rows, without one the agent's 401 message on one line.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventsTokenFileTest {

  private static synchronized EventsNamespacedTest.Result run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int exit = Main.run(args);
      return new EventsNamespacedTest.Result(
          exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void theTokenFileIsSentAsBearer() throws Exception {
    TracepointRegistry registry = new TracepointRegistry(StoreConfig.DEFAULT);
    StoredTracepoint tp =
        registry.register(
            new TracepointInfo(
                "shop/login", "main.Login", "node node-a", List.of("n"), false, List.of()),
            new Placement("shop", "login", "node-a"),
            List::of);
    for (int i = 0; i < 2; i++) tp.append(EventsNamespacedTest.row(i, "web-1"));
    Path token = Files.createTempFile("dynlog-token", "");
    Files.writeString(token, "s3cret\n");
    Path bad = Files.createTempFile("dynlog-token", "");
    Files.writeString(bad, "two words\n");
    try (DynlogMetrics metrics = new DynlogMetrics(registry);
        AgentHttpServer server =
            AgentHttpServer.start(
                new InetSocketAddress("127.0.0.1", 0),
                registry,
                metrics,
                t ->
                    t.equals("s3cret")
                        ? QueryAuthenticator.Verdict.allowed()
                        : QueryAuthenticator.Verdict.denied("the bearer token is not valid"))) {
      String agent = server.baseUri().toString();
      EventsNamespacedTest.Result ok =
          run("events", "shop/login", "--agent", agent, "--token-file", token.toString());
      assertEquals(0, ok.exit(), ok.err());
      assertEquals(3, ok.out().split("\n").length, ok.out());

      EventsNamespacedTest.Result none = run("events", "shop/login", "--agent", agent);
      assertEquals(1, none.exit());
      assertEquals(1, none.err().lines().count(), none.err());
      assertTrue(none.err().startsWith("dynlog events: no Authorization header"), none.err());

      EventsNamespacedTest.Result malformed =
          run("events", "shop/login", "--agent", agent, "--token-file", bad.toString());
      assertEquals(1, malformed.exit());
      assertTrue(malformed.err().contains("must hold one token"), malformed.err());
    }
  }
}
