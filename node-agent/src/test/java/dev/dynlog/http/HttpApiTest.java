package dev.dynlog.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.query.Dataset;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.store.TracepointState;
import dev.dynlog.trace.Row;
import dev.dynlog.trace.RowJson;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The query API over real HTTP on 127.0.0.1, against the dataset's ground truth. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAME = "main.(*Shop).Sum";
  private static final String EVENTS = "/api/v1/tracepoints/main.%28%2AShop%29.Sum/events";

  private TracepointRegistry registry;
  private DynlogMetrics metrics;
  private AgentHttpServer server;
  private URI base;

  @BeforeEach
  void start() throws Exception {
    registry = Dataset.registry(NAME);
    metrics = new DynlogMetrics(registry);
    server = AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, metrics);
    base = server.baseUri();
  }

  @AfterEach
  void stop() {
    server.close();
    metrics.close();
  }

  private static List<Integer> indexes(JsonNode rows) {
    List<Integer> out = new ArrayList<>();
    for (JsonNode r : rows) out.add((int) (r.get("goid").asLong() - 1000));
    return out;
  }

  @Test
  void listsTracepointsWithStateAndCounts() throws Exception {
    HttpResponse<String> r = Http.get(base, "/api/v1/tracepoints");
    assertEquals(200, r.statusCode());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
    JsonNode tp = JSON.readTree(r.body()).get("tracepoints").get(0);
    assertEquals(NAME, tp.get("name").asText());
    assertEquals("running", tp.get("state").asText());
    assertEquals(
        Dataset.CAPTURES.toString(), JSON.convertValue(tp.get("captures"), List.class).toString());
    assertEquals(Dataset.N, tp.get("counts").get("calls").asLong());
    assertEquals(Dataset.N, tp.get("counts").get("rows_received").asLong());
    assertEquals(Dataset.N, tp.get("counts").get("rows_buffered").asLong());
    assertEquals(0, tp.get("counts").get("dropped").get("buffer_evicted").asLong());
    assertEquals(2, tp.get("attached_probes").asInt());

    JsonNode one =
        JSON.readTree(Http.get(base, "/api/v1/tracepoints/main.%28%2AShop%29.Sum").body());
    assertEquals(NAME, one.get("name").asText());
  }

  @Test
  void eventsMatchGroundTruthInBothFormats() throws Exception {
    HttpResponse<String> r =
        Http.get(
            base,
            EVENTS + "?where=user%3Duser3&where=l.Units%3C20&pid=200&min_latency=2ms&order=oldest");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = JSON.readTree(r.body());
    List<Integer> want =
        Dataset.where(
            i ->
                Dataset.user(i).equals("user3")
                    && Dataset.units(i) < 20
                    && Dataset.pid(i) == 200
                    && Dataset.latency(i) >= 2_000_000);
    assertFalse(want.isEmpty());
    assertEquals(want, indexes(body.get("rows")));
    assertEquals(want.size(), body.get("count").asInt());

    HttpResponse<String> jsonl =
        Http.get(
            base,
            EVENTS
                + "?where=user%3Duser3&where=l.Units%3C20&pid=200&min_latency=2ms&order=oldest&format=jsonl");
    assertEquals("application/x-ndjson", jsonl.headers().firstValue("Content-Type").orElseThrow());
    List<Row> rows = jsonl.body().lines().map(l -> RowJson.fromJson(l, NAME)).toList();
    assertEquals(want.size(), rows.size());
    for (int k = 0; k < rows.size(); k++) {
      assertEquals(RowJson.toJson(Dataset.row(NAME, want.get(k))), RowJson.toJson(rows.get(k)));
    }
  }

  @Test
  void defaultIsNewestFirstWithLimit() throws Exception {
    JsonNode body = JSON.readTree(Http.get(base, EVENTS + "?limit=3").body());
    assertEquals(List.of(Dataset.N - 1, Dataset.N - 2, Dataset.N - 3), indexes(body.get("rows")));
  }

  @Test
  void emptyResultAndLimitZero() throws Exception {
    JsonNode none = JSON.readTree(Http.get(base, EVENTS + "?where=user%3Dnobody").body());
    assertEquals(0, none.get("count").asInt());
    assertEquals(0, none.get("rows").size());
    JsonNode zero = JSON.readTree(Http.get(base, EVENTS + "?limit=0").body());
    assertEquals(0, zero.get("rows").size());
    assertEquals("", Http.get(base, EVENTS + "?limit=0&format=jsonl").body());
  }

  @Test
  void malformedQueriesGet400WithAClearMessage() throws Exception {
    assertError(
        400,
        EVENTS + "?where=usr%3Dalice",
        "unknown field 'usr' in where 'usr=alice': tracepoint 'main.(*Shop).Sum' captures user, n, big, ok, err, l, tags, ratio");
    assertError(400, EVENTS + "?where=n%3Eabc", "operator > needs a number, got 'abc'");
    assertError(400, EVENTS + "?min_latency=fast", "min_latency: 'fast' is not a duration");
    assertError(400, EVENTS + "?limit=-3", "limit must be 0 or more");
    assertError(400, EVENTS + "?colour=red", "unknown query parameter 'colour'");
    assertError(400, EVENTS + "?follow=maybe", "follow must be true or false");
    assertError(400, EVENTS + "?format=xml", "format must be json or jsonl");
    assertError(
        400, EVENTS + "?follow=true&format=json", "follow=true streams format=jsonl or format=sse");
    assertError(400, EVENTS + "?follow=true&order=newest", "follow=true streams oldest first");
    assertError(400, "/api/v1/tracepoints?limit=1", "this endpoint takes no query parameters");
    assertError(
        404,
        "/api/v1/tracepoints/nope/events",
        "no tracepoint 'nope'; tracepoints: main.(*Shop).Sum");
    assertError(404, "/api/v1/tracepoints/x/rows", "no such endpoint");
    assertError(404, "/nothing", "no such endpoint '/nothing'");
  }

  private void assertError(int status, String path, String message) throws Exception {
    HttpResponse<String> r = Http.get(base, path);
    assertEquals(status, r.statusCode(), path + " → " + r.body());
    String error = JSON.readTree(r.body()).get("error").asText();
    assertTrue(error.contains(message), path + " → " + error);
  }

  @Test
  void followStreamsHistoryThenNewRowsThenEndsWhenTheTracepointStops() throws Exception {
    StoredTracepoint tp = registry.find(NAME).orElseThrow();
    HttpResponse<Stream<String>> r =
        Http.lines(base, EVENTS + "?follow=true&limit=2&where=user%3Duser1", null);
    assertEquals(200, r.statusCode());
    assertEquals("application/x-ndjson", r.headers().firstValue("Content-Type").orElseThrow());
    Iterator<String> lines = r.body().iterator();
    List<Integer> history = Dataset.where(i -> Dataset.user(i).equals("user1"));
    assertEquals(history.get(history.size() - 2), index(lines.next()));
    assertEquals(history.get(history.size() - 1), index(lines.next()));
    int appended = 0;
    for (int i = Dataset.N; i < Dataset.N + 70; i++) {
      tp.append(Dataset.row(NAME, i));
      if (Dataset.user(i).equals("user1")) appended++;
    }
    registry.stop(NAME, TracepointState.STOPPED, "test over");
    List<Integer> live = new ArrayList<>();
    while (lines.hasNext()) {
      String line = lines.next();
      if (!line.isEmpty()) live.add(index(line));
    }
    List<Integer> want = new ArrayList<>();
    for (int i = Dataset.N; i < Dataset.N + 70; i++)
      if (Dataset.user(i).equals("user1")) want.add(i);
    assertEquals(appended, want.size());
    assertEquals(want, live);
  }

  @Test
  void followAsServerSentEvents() throws Exception {
    StoredTracepoint tp = registry.find(NAME).orElseThrow();
    HttpResponse<Stream<String>> r =
        Http.lines(base, EVENTS + "?follow=true&limit=0", "text/event-stream");
    assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElseThrow());
    Iterator<String> lines = r.body().filter(l -> !l.startsWith(":")).iterator();
    tp.append(Dataset.row(NAME, 5000));
    String data = lines.next();
    assertTrue(data.startsWith("data: "), data);
    assertEquals(5000, index(data.substring("data: ".length())));
    assertEquals("", lines.next());
    registry.stop(NAME, TracepointState.EXPIRED, "ttl");
    assertEquals("event: end", lines.next());
    assertEquals("data: {\"state\":\"expired\"}", lines.next());
  }

  private static int index(String jsonLine) {
    return (int) (RowJson.fromJson(jsonLine, NAME).goid() - 1000);
  }

  @Test
  void stoppedTracepointStaysQueryableWithItsReason() throws Exception {
    registry.stop(NAME, TracepointState.EXPIRED, "ttl of 1m elapsed");
    JsonNode tp =
        JSON.readTree(Http.get(base, "/api/v1/tracepoints/main.%28%2AShop%29.Sum").body());
    assertEquals("expired", tp.get("state").asText());
    assertEquals("ttl of 1m elapsed", tp.get("stop_reason").asText());
    assertTrue(tp.has("stopped"));
    JsonNode body = JSON.readTree(Http.get(base, EVENTS + "?limit=2").body());
    assertEquals("expired", body.get("state").asText());
    assertEquals(List.of(Dataset.N - 1, Dataset.N - 2), indexes(body.get("rows")));
  }

  @Test
  void liveFollowsAreBoundedAndQueriesStillAnswered() throws Exception {
    List<HttpResponse<Stream<String>>> follows = new ArrayList<>();
    for (int i = 0; i < AgentHttpServer.MAX_FOLLOWS; i++) {
      HttpResponse<Stream<String>> f = Http.lines(base, EVENTS + "?follow=true&limit=0", null);
      assertEquals(200, f.statusCode());
      follows.add(f);
    }
    assertError(503, EVENTS + "?follow=true&limit=0", "too many live follows");
    assertEquals(200, Http.get(base, EVENTS + "?limit=1").statusCode());
    registry.stop(NAME, TracepointState.STOPPED, "done");
    for (HttpResponse<Stream<String>> f : follows)
      assertEquals(0, f.body().filter(l -> !l.isEmpty()).count());
    assertEquals(200, Http.get(base, EVENTS + "?limit=1").statusCode());
  }

  @Test
  void onlyGet() throws Exception {
    var req =
        HttpRequest.newBuilder(URI.create(base + "/api/v1/tracepoints"))
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
    var r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
    assertEquals(405, r.statusCode());
    assertTrue(r.body().contains("only GET"));
  }

  @Test
  void addressParsing() {
    assertEquals(new InetSocketAddress("127.0.0.1", 9464), HttpAddress.parse("127.0.0.1:9464"));
    assertEquals(new InetSocketAddress("127.0.0.1", 9464), HttpAddress.parse(":9464"));
    assertEquals(new InetSocketAddress("::1", 80), HttpAddress.parse("[::1]:80"));
    assertTrue(assertMessage("9464").contains("needs a port"));
    assertTrue(assertMessage("localhost:http").contains("port 'http' is not a number"));
    assertTrue(assertMessage("localhost:70000").contains("port must be 0-65535"));
  }

  private static String assertMessage(String addr) {
    return Assertions.assertThrows(IllegalArgumentException.class, () -> HttpAddress.parse(addr))
        .getMessage();
  }
}
