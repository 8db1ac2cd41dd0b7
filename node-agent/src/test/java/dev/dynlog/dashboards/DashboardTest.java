package dev.dynlog.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.http.AgentHttpServer;
import dev.dynlog.http.Http;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.metrics.PromText;
import dev.dynlog.store.LabelSpec;
import dev.dynlog.store.Placement;
import dev.dynlog.store.PodCounters;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.trace.ProbeCounters;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * dashboards/dynlog.json: every PromQL expression names only metrics that a real agent's /metrics
 * exposes (scraped from a running server), and the dashboard shows what the issue asks for.
 */
class DashboardTest {

  private static final Path DASHBOARD = locate();

  private static Path locate() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path p = dir.resolve("dashboards/dynlog.json");
      if (Files.isRegularFile(p)) return p;
    }
    throw new IllegalStateException(
        "dashboards/dynlog.json not found above " + Path.of("").toAbsolutePath());
  }

  /**
   * Panel title → expressions, for every panel (rows' nested panels included), plus the variables'
   * queries.
   */
  private static Map<String, List<String>> expressions(JsonNode dashboard) {
    Map<String, List<String>> out = new TreeMap<>();
    collect(dashboard.get("panels"), out);
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (v.path("type").asText().equals("query")) {
        String q = v.path("query").path("query").asText();
        out.put(
            "variable " + v.get("name").asText(),
            List.of(q.replaceAll("^label_values\\((.*),\\s*\\w+\\)$", "$1")));
      }
    }
    return out;
  }

  private static void collect(JsonNode panels, Map<String, List<String>> out) {
    for (JsonNode p : panels) {
      if (p.has("panels")) collect(p.get("panels"), out);
      if (p.path("type").asText().equals("row")) continue;
      List<String> exprs = new ArrayList<>();
      for (JsonNode t : p.path("targets")) exprs.add(t.get("expr").asText());
      out.put(p.get("title").asText(), exprs);
    }
  }

  private static Set<String> exposedNames() throws Exception {
    TracepointRegistry registry = new TracepointRegistry(StoreConfig.DEFAULT);
    registry.register(
        new TracepointInfo(
            "login",
            "main.Login",
            "pid 1",
            List.of("user", "status"),
            true,
            List.of(new LabelSpec("status", 5))),
        () ->
            new ProbeCounters(
                3,
                3,
                1,
                new long[] {1000, 1_000_000},
                new long[] {1, 1, 1},
                1000,
                0,
                0,
                0,
                0,
                10,
                6,
                2));
    // and a node agent's, whose metrics carry namespace, node and pod
    registry.register(
        new TracepointInfo("shop/hot", "hot", "node n", List.of(), true, List.of()),
        new Placement("shop", "hot", "n"),
        () ->
            List.of(
                new PodCounters(
                    "web-1",
                    new ProbeCounters(
                        1, 1, 0, new long[] {1000}, new long[] {1, 0}, 10, 0, 0, 0, 0, 1, 1, 1))));
    try (DynlogMetrics metrics = new DynlogMetrics(registry);
        AgentHttpServer server =
            AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, metrics)) {
      return new PromText(Http.get(server.baseUri(), "/metrics").body()).sampleNames();
    }
  }

  @Test
  void everyExpressionNamesOnlyMetricsTheAgentExposes() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    Set<String> exposed = exposedNames();
    Map<String, List<String>> expressions = expressions(dashboard);
    Set<String> used = new TreeSet<>();
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : expressions.entrySet()) {
      assertFalse(e.getValue().isEmpty(), "panel '" + e.getKey() + "' has no query");
      for (String expr : e.getValue()) {
        Set<String> names = PromQlNames.of(expr);
        assertFalse(names.isEmpty(), "no metric in '" + expr + "'");
        for (String name : names) {
          used.add(name);
          if (!exposed.contains(name)) unknown.add("'" + e.getKey() + "': " + name + " in " + expr);
        }
      }
    }
    assertTrue(
        unknown.isEmpty(),
        "metrics the agent does not expose:\n"
            + String.join("\n", unknown)
            + "\nexposed: "
            + exposed);
    for (String needed :
        List.of(
            "dynlog_calls_total",
            "dynlog_call_duration_seconds_bucket",
            "dynlog_errors_total",
            "dynlog_events_dropped_total",
            "dynlog_probe_cpu_seconds_total",
            "dynlog_attached_probes")) {
      assertTrue(used.contains(needed), "the dashboard does not show " + needed);
    }
  }

  @Test
  void panelsAskedForArePresentAndUseTheDataSourceVariable() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> types = new ArrayList<>();
    for (JsonNode p : dashboard.get("panels")) {
      types.add(p.get("type").asText());
      if (p.get("type").asText().equals("row")) continue;
      assertEquals(
          "${datasource}", p.path("datasource").path("uid").asText(), p.get("title").asText());
      assertTrue(p.has("gridPos"), p.get("title").asText());
    }
    assertTrue(types.contains("heatmap"), "a latency heatmap");
    String all = dashboard.get("panels").toString();
    assertTrue(all.contains("histogram_quantile(0.99"), "p99 latency");
    assertTrue(all.contains("histogram_quantile(0.5"), "p50 latency");
    assertTrue(all.contains("sum by (namespace, tracepoint, reason)"), "drops by reason");
  }

  /**
   * Grafana filters by namespace, tracepoint, node and pod: the variables exist, match standalone
   * agents' series too (All is .*), and every query of a per-pod metric uses all four.
   */
  @Test
  void everyQueryFiltersByNamespaceTracepointNodeAndPod() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> names = new ArrayList<>();
    for (JsonNode v : dashboard.path("templating").path("list")) {
      names.add(v.get("name").asText());
      if (List.of("namespace", "node", "pod").contains(v.get("name").asText())) {
        assertEquals(".*", v.path("allValue").asText(), v.get("name").asText());
      }
    }
    assertEquals(List.of("datasource", "namespace", "tracepoint", "node", "pod"), names);
    for (Map.Entry<String, List<String>> e : expressions(dashboard).entrySet()) {
      if (e.getKey().startsWith("variable")) continue;
      for (String expr : e.getValue()) {
        if (!expr.contains("dynlog_")) continue;
        for (String variable : List.of("$namespace", "$tracepoint", "$node")) {
          assertTrue(expr.contains(variable), e.getKey() + ": no " + variable + " in " + expr);
        }
        boolean perPod = !expr.contains("dynlog_buffer_") && !expr.contains("dynlog_rows_total");
        assertEquals(perPod, expr.contains("pod=~\"$pod\""), e.getKey() + ": " + expr);
      }
    }
  }

  @Test
  void extractorFindsMetricNamesOnly() {
    assertEquals(
        Set.of("a_bucket"),
        PromQlNames.of(
            "histogram_quantile(0.99, sum by (le, tracepoint) (rate(a_bucket{tracepoint=~\"$tp\", le!=\"x\"}[$__rate_interval])))"));
    assertEquals(
        Set.of("x_total", "y_total"),
        PromQlNames.of(
            "sum by (t) (rate(x_total[5m])) / on (t) group_left sum by (t) (rate(y_total[1h] offset 1d))"));
    assertEquals(Set.of("made_up_metric"), PromQlNames.of("max(made_up_metric) > 1e-3"));
  }
}
