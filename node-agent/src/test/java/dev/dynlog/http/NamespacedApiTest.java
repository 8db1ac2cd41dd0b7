package dev.dynlog.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.metrics.PromText;
import dev.dynlog.store.Placement;
import dev.dynlog.store.PodCounters;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.store.TracepointState;
import dev.dynlog.trace.ProbeCounters;
import dev.dynlog.trace.Row;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node agent's tracepoints through the namespaced paths over real HTTP: listed per namespace,
 * addressed as namespace/name (and still as {@code ns%2Fname} on the old path), rows carrying where
 * they ran and filtered by it, follows, and errors that say what exists.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NamespacedApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long[] BOUNDS = {1_000, 1_000_000};

  private TracepointRegistry registry;
  private DynlogMetrics metrics;
  private AgentHttpServer server;
  private URI base;
  private StoredTracepoint login;

  static ProbeCounters counters(long calls) {
    return new ProbeCounters(
        calls, calls, 1, BOUNDS, new long[] {calls, 0, 0}, calls * 500, 0, 0, 0, 0, 7, calls, 1);
  }

  static Row row(String tp, int i, String pod, String container) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("user", "u" + i);
    return new Row(
        tp,
        1_000_000_000L * (i + 1),
        100 + i,
        100 + i,
        -1,
        "main.Login",
        -1,
        c,
        Map.of(),
        new Row.Source("shop", pod, container, "node-a"));
  }

  @BeforeEach
  void start() throws Exception {
    registry = new TracepointRegistry(StoreConfig.DEFAULT);
    login =
        registry.register(
            new TracepointInfo(
                "shop/login", "main.Login", "node node-a", List.of("user"), false, List.of()),
            new Placement("shop", "login", "node-a"),
            () ->
                List.of(
                    new PodCounters("web-1", counters(6)), new PodCounters("web-2", counters(4))));
    for (int i = 0; i < 10; i++)
      login.append(row("shop/login", i, i % 2 == 0 ? "web-1" : "web-2", i < 5 ? "app" : "side"));
    registry.register(
        new TracepointInfo("shop/pay", "main.Pay", "node node-a", List.of(), false, List.of()),
        new Placement("shop", "pay", "node-a"),
        List::of);
    registry.register(
        new TracepointInfo("blog/post", "main.Post", "node node-a", List.of(), false, List.of()),
        new Placement("blog", "post", "node-a"),
        List::of);
    registry.register(
        new TracepointInfo("main.Sum", "main.Sum", "pid 1", List.of("a"), false, List.of()),
        () -> counters(3));
    metrics = new DynlogMetrics(registry);
    server = AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, metrics);
    base = server.baseUri();
  }

  @AfterEach
  void stop() {
    server.close();
    metrics.close();
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  private static List<String> pods(JsonNode rows) {
    List<String> out = new ArrayList<>();
    for (JsonNode r : rows) out.add(r.get("pod").asText());
    return out;
  }

  @Test
  void listsTheTracepointsOfOneNamespace() throws Exception {
    for (String path :
        List.of("/api/v1/namespaces/shop/tracepoints", "/api/v1/namespaces/shop/tracepoints/")) {
      HttpResponse<String> r = Http.get(base, path);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode list = json(r).get("tracepoints");
      assertEquals(2, list.size(), r.body());
      JsonNode first = list.get(0);
      assertEquals("shop/login", first.get("name").asText());
      assertEquals("shop", first.get("namespace").asText());
      assertEquals("login", first.get("tracepoint").asText());
      assertEquals("node-a", first.get("node").asText());
      assertEquals(10, first.get("counts").get("calls").asLong());
      assertEquals("web-1", first.get("pods").get(0).get("pod").asText());
      assertEquals(6, first.get("pods").get(0).get("calls").asLong());
      assertEquals(4, first.get("pods").get(1).get("calls").asLong());
      assertEquals("pay", list.get(1).get("tracepoint").asText());
    }
    assertEquals(
        0, json(Http.get(base, "/api/v1/namespaces/none/tracepoints")).get("tracepoints").size());
    JsonNode one = json(Http.get(base, "/api/v1/namespaces/shop/tracepoints/login"));
    assertEquals("login", one.get("tracepoint").asText());
    assertEquals("running", one.get("state").asText());
  }

  @Test
  void eventsCarryWhereTheyRanAndFilterOnIt() throws Exception {
    String events = "/api/v1/namespaces/shop/tracepoints/login/events";
    JsonNode all = json(Http.get(base, events + "?order=oldest"));
    assertEquals("login", all.get("tracepoint").asText());
    assertEquals("shop", all.get("namespace").asText());
    assertEquals("node-a", all.get("node").asText());
    assertEquals(10, all.get("count").asInt());
    JsonNode first = all.get("rows").get(0);
    assertEquals("shop", first.get("namespace").asText());
    assertEquals("web-1", first.get("pod").asText());
    assertEquals("app", first.get("container").asText());
    assertEquals("node-a", first.get("node").asText());

    HttpResponse<String> web1Answer = Http.get(base, events + "?where=pod%3Dweb-1");
    assertEquals(200, web1Answer.statusCode(), web1Answer.body());
    JsonNode web1 = json(web1Answer).get("rows");
    assertEquals(List.of("web-1", "web-1", "web-1", "web-1", "web-1"), pods(web1));
    JsonNode side =
        json(Http.get(base, events + "?where=container%3Dside&where=pod!%3Dweb-1&order=oldest"));
    assertEquals(List.of("web-2", "web-2", "web-2"), pods(side.get("rows")), side.toString());
    assertEquals(10, json(Http.get(base, events + "?where=node%3Dnode-a")).get("count").asInt());
    assertEquals(
        10,
        json(Http.get(base, events + "?where=namespace%20contains%20sho")).get("count").asInt());
    assertEquals(0, json(Http.get(base, events + "?where=pod%3Dweb-3")).get("count").asInt());

    // the same tracepoint on the old path, its name percent-encoded
    HttpResponse<String> old =
        Http.get(base, "/api/v1/tracepoints/shop%2Flogin/events?where=pod%3Dweb-2");
    assertEquals(200, old.statusCode(), old.body());
    assertEquals(5, json(old).get("count").asInt());
  }

  @Test
  void followStreamsNewRowsOnTheNamespacedPath() throws Exception {
    HttpResponse<Stream<String>> r =
        Http.lines(
            base,
            "/api/v1/namespaces/shop/tracepoints/login/events?follow=true&limit=1&where=pod%3Dweb-2",
            "application/x-ndjson");
    assertEquals(200, r.statusCode());
    Iterator<String> lines = r.body().filter(l -> !l.isEmpty()).iterator();
    assertEquals("web-2", JSON.readTree(lines.next()).get("pod").asText());
    while (login.buffer().subscribers() == 0) Thread.sleep(10);
    login.append(row("shop/login", 20, "web-1", "app"));
    login.append(row("shop/login", 21, "web-2", "app"));
    JsonNode next = JSON.readTree(lines.next());
    assertEquals("web-2", next.get("pod").asText());
    assertEquals("u21", next.get("captures").get("user").asText());
    registry.stop("shop/login", TracepointState.STOPPED, "done");
    while (lines.hasNext()) lines.next();
  }

  @Test
  void errorsSayWhatExists() throws Exception {
    HttpResponse<String> r = Http.get(base, "/api/v1/namespaces/shop/tracepoints/logn/events");
    assertEquals(404, r.statusCode());
    assertEquals(
        "no tracepoint 'logn' in namespace 'shop' on this agent; tracepoints in shop: login, pay",
        json(r).get("error").asText());
    r = Http.get(base, "/api/v1/namespaces/shp/tracepoints/login");
    assertEquals(404, r.statusCode());
    assertEquals(
        "no tracepoint 'login' in namespace 'shp' on this agent; it has no tracepoint in that"
            + " namespace (namespaces with tracepoints here: blog, shop)",
        json(r).get("error").asText());
    r = Http.get(base, "/api/v1/namespaces/shop/tracepoint/login");
    assertEquals(404, r.statusCode());
    assertTrue(json(r).get("error").asText().endsWith(ApiHandler.NAMESPACED_ENDPOINTS), r.body());
    assertTrue(r.body().endsWith("}") && !r.body().contains("\n"), "one line: " + r.body());
    r = Http.get(base, "/api/v1/namespaces/shop/tracepoints/login/rows");
    assertEquals(404, r.statusCode());
    // a standalone tracepoint is not in any namespace
    r = Http.get(base, "/api/v1/namespaces/main.Sum/tracepoints/main.Sum");
    assertEquals(404, r.statusCode());
    // where on a field the rows do not have
    r = Http.get(base, "/api/v1/namespaces/shop/tracepoints/login/events?where=usr%3Da");
    assertEquals(400, r.statusCode());
    assertEquals(
        "unknown field 'usr' in where 'usr=a': tracepoint 'shop/login' captures user; rows also"
            + " carry namespace, pod, container, node",
        json(r).get("error").asText());
    r = Http.get(base, "/api/v1/namespaces/shop/tracepoints/login/events?where=pod.x%3Da");
    assertEquals(400, r.statusCode());
    assertEquals(
        "where 'pod.x=a': pod is a name, it has no fields; write e.g. pod=NAME",
        json(r).get("error").asText());
    r = Http.get(base, "/api/v1/tracepoints/main.Sum/events?where=pod%3Dweb-1");
    assertEquals(400, r.statusCode());
    assertEquals(
        "where 'pod=web-1': rows of tracepoint 'main.Sum' have no pod: it runs outside Kubernetes"
            + " (only a node agent's rows carry namespace, pod, container, node)",
        json(r).get("error").asText());
  }

  @Test
  void metricsCarryNamespaceTracepointNodeAndPod() throws Exception {
    PromText text = new PromText(Http.get(base, "/metrics").body());
    assertEquals(
        6.0,
        text.value(
            "dynlog_calls_total",
            "namespace",
            "shop",
            "tracepoint",
            "login",
            "node",
            "node-a",
            "pod",
            "web-1"));
    assertEquals(
        4.0,
        text.value(
            "dynlog_calls_total",
            "namespace",
            "shop",
            "tracepoint",
            "login",
            "node",
            "node-a",
            "pod",
            "web-2"));
    assertEquals(
        10.0,
        text.value(
            "dynlog_rows_total", "namespace", "shop", "tracepoint", "login", "node", "node-a"));
    // standalone: only the tracepoint label
    assertEquals(3.0, text.value("dynlog_calls_total", "tracepoint", "main.Sum"));
  }
}
