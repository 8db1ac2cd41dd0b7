package dev.dynlog.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.dynlog.query.BadQueryException;
import dev.dynlog.query.Order;
import dev.dynlog.query.Query;
import dev.dynlog.query.QueryEngine;
import dev.dynlog.query.QueryParser;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.Subscription;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.trace.Row;
import dev.dynlog.trace.RowJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;

/**
 * The JSON query API under {@code /api/v1/} (see docs/query-api.md):
 *
 * <ul>
 *   <li>{@code GET /api/v1/tracepoints} — every tracepoint with its state and counts;
 *   <li>{@code GET /api/v1/tracepoints/{name}} — one of them;
 *   <li>{@code GET /api/v1/tracepoints/{name}/events?...} — its rows ({@link QueryParser}
 *       parameters, plus {@code format=json|jsonl|sse} and {@code follow=true}).
 * </ul>
 */
final class ApiHandler implements HttpHandler {

  static final String PREFIX = "/api/v1/tracepoints";

  private static final JsonFactory JSON = new JsonFactory();
  private static final Set<String> HTTP_PARAMETERS = Set.of("follow", "format");

  private final TracepointRegistry registry;
  private final Semaphore follows;
  private final long keepAliveNanos;

  ApiHandler(TracepointRegistry registry, int maxFollows, long keepAliveNanos) {
    this.registry = registry;
    this.follows = new Semaphore(maxFollows);
    this.keepAliveNanos = keepAliveNanos;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        if (!exchange.getRequestMethod().equals("GET")) {
          exchange.getResponseHeaders().set("Allow", "GET");
          throw new HttpError(405, "only GET is supported");
        }
        route(exchange);
      } catch (HttpError e) {
        sendError(exchange, e.status, e.getMessage());
      } catch (BadQueryException e) {
        sendError(exchange, 400, e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void route(HttpExchange exchange) throws IOException, InterruptedException {
    String path = exchange.getRequestURI().getRawPath();
    if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
      noParameters(exchange);
      sendJson(
          exchange,
          200,
          g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("tracepoints");
            for (StoredTracepoint tp : registry.list()) TracepointJson.write(g, tp);
            g.writeEndArray();
            g.writeEndObject();
          });
      return;
    }
    if (!path.startsWith(PREFIX + "/")) {
      throw new HttpError(
          404,
          "no such endpoint '"
              + path
              + "'; endpoints: /metrics, "
              + PREFIX
              + ", "
              + PREFIX
              + "/{name}, "
              + PREFIX
              + "/{name}/events");
    }
    String[] rest = path.substring(PREFIX.length() + 1).split("/", -1);
    if (rest.length > 2 || (rest.length == 2 && !rest[1].equals("events")) || rest[0].isEmpty()) {
      throw new HttpError(
          404,
          "no such endpoint '"
              + path
              + "'; use "
              + PREFIX
              + "/{name} or "
              + PREFIX
              + "/{name}/events");
    }
    StoredTracepoint tp = tracepoint(QueryString.decodeSegment(rest[0]));
    if (rest.length == 1) {
      noParameters(exchange);
      sendJson(exchange, 200, g -> TracepointJson.write(g, tp));
    } else {
      events(exchange, tp);
    }
  }

  private StoredTracepoint tracepoint(String name) {
    return registry
        .find(name)
        .orElseThrow(
            () -> {
              String known =
                  registry.list().stream()
                      .map(StoredTracepoint::name)
                      .collect(Collectors.joining(", "));
              return new HttpError(
                  404,
                  "no tracepoint '"
                      + name
                      + "'; tracepoints: "
                      + (known.isEmpty() ? "none" : known));
            });
  }

  private static void noParameters(HttpExchange exchange) {
    Map<String, List<String>> params = QueryString.parse(exchange.getRequestURI().getRawQuery());
    if (!params.isEmpty()) {
      throw new HttpError(400, "this endpoint takes no query parameters, got " + params.keySet());
    }
  }

  private void events(HttpExchange exchange, StoredTracepoint tp)
      throws IOException, InterruptedException {
    Map<String, List<String>> params =
        new HashMap<>(QueryString.parse(exchange.getRequestURI().getRawQuery()));
    Query query = QueryParser.parse(params, Instant.now(), HTTP_PARAMETERS);
    query.validate(tp.info());
    boolean follow = flag(params, "follow");
    String format = format(exchange, params, follow);
    if (!follow) {
      List<Row> rows = QueryEngine.run(tp, query);
      if (format.equals("jsonl")) {
        send(
            exchange,
            200,
            "application/x-ndjson",
            out -> {
              try (JsonGenerator g = JSON.createGenerator(out)) {
                g.setRootValueSeparator(null);
                for (Row row : rows) {
                  RowJson.write(g, row);
                  g.writeRaw('\n');
                }
              }
            });
      } else {
        sendJson(
            exchange,
            200,
            g -> {
              g.writeStartObject();
              g.writeStringField("tracepoint", tp.name());
              g.writeStringField("state", tp.state().jsonName());
              g.writeNumberField("count", rows.size());
              g.writeArrayFieldStart("rows");
              for (Row row : rows) RowJson.write(g, row);
              g.writeEndArray();
              g.writeEndObject();
            });
      }
      return;
    }
    if (params.containsKey("order") && query.order() == Order.NEWEST) {
      throw new HttpError(400, "follow=true streams oldest first; drop order=newest");
    }
    if (!follows.tryAcquire()) {
      throw new HttpError(503, "too many live follows at once; try again later");
    }
    try {
      boolean sse = format.equals("sse");
      // Subscribe before answering, so that a client that sees the headers misses no row.
      Subscription sub = tp.buffer().subscribe(query, FollowStream.QUEUE_CAPACITY);
      exchange
          .getResponseHeaders()
          .set("Content-Type", sse ? "text/event-stream" : "application/x-ndjson");
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      try {
        exchange.sendResponseHeaders(200, 0);
      } catch (IOException e) {
        sub.close();
        throw e;
      }
      new FollowStream(sse, keepAliveNanos).run(tp, query, sub, exchange.getResponseBody());
    } finally {
      follows.release();
    }
  }

  private static boolean flag(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    if (values == null) return false;
    if (values.size() > 1)
      throw new HttpError(
          400, "query parameter '" + name + "' is given " + values.size() + " times");
    return switch (values.get(0)) {
      case "true", "1", "" -> true;
      case "false", "0" -> false;
      default ->
          throw new HttpError(400, name + " must be true or false, got '" + values.get(0) + "'");
    };
  }

  private static String format(
      HttpExchange exchange, Map<String, List<String>> params, boolean follow) {
    List<String> values = params.get("format");
    String format;
    if (values != null) {
      if (values.size() > 1)
        throw new HttpError(400, "query parameter 'format' is given " + values.size() + " times");
      format = values.get(0);
    } else {
      String accept = exchange.getRequestHeaders().getFirst("Accept");
      if (accept != null && accept.contains("text/event-stream")) format = "sse";
      else if (accept != null && accept.contains("application/x-ndjson")) format = "jsonl";
      else format = follow ? "jsonl" : "json";
    }
    if (follow && !format.equals("jsonl") && !format.equals("sse")) {
      throw new HttpError(
          400, "follow=true streams format=jsonl or format=sse, not '" + format + "'");
    }
    if (!follow && !format.equals("json") && !format.equals("jsonl")) {
      throw new HttpError(
          400, "format must be json or jsonl (sse needs follow=true), got '" + format + "'");
    }
    return format;
  }

  private interface Body {
    void write(OutputStream out) throws IOException;
  }

  private interface JsonBody {
    void write(JsonGenerator g) throws IOException;
  }

  private static void sendJson(HttpExchange exchange, int status, JsonBody body)
      throws IOException {
    send(
        exchange,
        status,
        "application/json",
        out -> {
          try (JsonGenerator g = JSON.createGenerator(out)) {
            body.write(g);
          }
        });
  }

  private static void send(HttpExchange exchange, int status, String contentType, Body body)
      throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    body.write(buf);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, buf.size() == 0 ? -1 : buf.size());
    buf.writeTo(exchange.getResponseBody());
  }

  static void sendError(HttpExchange exchange, int status, String message) throws IOException {
    sendJson(
        exchange,
        status,
        g -> {
          g.writeStartObject();
          g.writeStringField("error", message);
          g.writeEndObject();
        });
  }
}
