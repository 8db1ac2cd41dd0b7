package dev.dynlog.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.testing.GoVariant;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dynlog trace --http} and {@code dynlog events} end to end: the rows a query returns and
 * the metrics' counts equal the calls the traced program itself reports (non-nil errors included,
 * although the error result is not captured).
 */
@Tag("bpf")
class QueryEndToEndIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LOGIN = "dynlog.dev/targets/shop.(*Service).Login";

  @TempDir Path work;

  @Test
  void queriesAndMetricsMatchTheProgramsOwnCalls() throws Exception {
    Path binary =
        Targets.build(new GoVariant(Targets.GO_VERSIONS.get(Targets.GO_VERSIONS.size() - 1), true));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String agent = "http://127.0.0.1:" + port;
    try (TargetProcess target =
        TargetProcess.start(binary, "-scenario=basic", "-iterations=40", "-wait-stdin")) {
      target.awaitReady(Duration.ofSeconds(30));
      try (DynlogCli dynlog =
          DynlogCli.start(
              work,
              "trace",
              "--pid",
              Long.toString(target.pid()),
              LOGIN,
              "--name",
              "login",
              "--capture",
              "user=username",
              "--capture",
              "ok=$0",
              "--latency",
              "--output",
              "jsonl",
              "--http",
              "127.0.0.1:" + port,
              "--linger",
              "60s")) {
        dynlog.awaitStderr("dynlog: tracing", 1, Duration.ofSeconds(60));
        target.release();
        TargetProcess.ProcessOutput out = target.finishRaw(Duration.ofMinutes(2));
        assertEquals(0, out.exitCode());
        dynlog.awaitStderr("serving queries", 1, Duration.ofSeconds(30));

        List<JsonNode> truth = new ArrayList<>();
        for (String line : out.stdoutLines()) {
          JsonNode t = JSON.readTree(line);
          if (LOGIN.equals(t.path("fn").asText())) truth.add(t);
        }
        assertEquals(40, truth.size());
        long alice =
            truth.stream()
                .filter(t -> t.path("args").path("username").asText().equals("alice"))
                .count();
        long failed = truth.stream().filter(t -> !t.path("results").path("~r1").isNull()).count();

        List<JsonNode> all = events(agent, "--limit", "1000", "--order", "oldest");
        assertEquals(truth.size(), all.size(), "every call is a row");
        for (int i = 0; i < truth.size(); i++) {
          assertEquals(
              truth.get(i).path("args").path("username"), all.get(i).path("captures").path("user"));
          assertEquals(
              truth.get(i).path("results").path("~r0"), all.get(i).path("captures").path("ok"));
        }
        assertEquals(
            alice,
            events(agent, "--where", "user=alice", "--limit", "1000").size(),
            "where user=alice");
        assertEquals(5, events(agent, "--limit", "5").size(), "limit");
        assertEquals(0, events(agent, "--where", "user=nobody-at-all").size(), "empty result");

        String metrics = get(agent + "/metrics");
        assertEquals(
            truth.size(),
            metric(metrics, "dynlog_calls_total\\{[^}]*tracepoint=\"login\"[^}]*\\}"),
            "dynlog_calls_total");
        assertEquals(
            truth.size(),
            metric(
                metrics, "dynlog_call_duration_seconds_count\\{[^}]*tracepoint=\"login\"[^}]*\\}"),
            "histogram count");
        // the error result is not captured, yet non-nil errors are counted exactly in the kernel
        assertTrue(failed > 0, "the target's calls include failed logins");
        assertEquals(
            failed,
            metric(metrics, "dynlog_errors_total\\{[^}]*tracepoint=\"login\"[^}]*\\}"),
            "dynlog_errors_total");

        try (DynlogCli bad =
            DynlogCli.start(work, "events", "login", "--agent", agent, "--where", "usr=alice")) {
          assertTrue(bad.await(Duration.ofSeconds(60)) != 0, "unknown field in --where fails");
          assertTrue(
              bad.stderrText().contains("usr") && bad.stderrText().contains("user"),
              bad.stderrText());
        }
        dynlog.process.destroy();
        dynlog.await(Duration.ofSeconds(30));
      }
    }
  }

  private List<JsonNode> events(String agent, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("events", "login", "--agent", agent, "--output", "jsonl"));
    cmd.addAll(List.of(args));
    try (DynlogCli events = DynlogCli.start(work, cmd.toArray(String[]::new))) {
      assertEquals(0, events.await(Duration.ofSeconds(60)), events.stderrText());
      List<JsonNode> rows = new ArrayList<>();
      for (String line : events.stdoutLines()) rows.add(JSON.readTree(line));
      return rows;
    }
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  private static long metric(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+]+)$").matcher(text);
    assertTrue(m.find(), "no " + series + " in:\n" + text);
    return (long) Double.parseDouble(m.group(1));
  }
}
