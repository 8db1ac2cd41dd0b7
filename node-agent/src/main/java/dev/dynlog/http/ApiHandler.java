package dev.dynlog.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.dynlog.query.Order;
import dev.dynlog.query.Query;
import dev.dynlog.query.QueryEngine;
import dev.dynlog.query.QueryParser;
import dev.dynlog.store.Placement;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.Subscription;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.trace.Row;
import dev.dynlog.trace.RowJson;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The JSON query API under {@code /api/v1/} (see docs/query-api.md):
 *
 * <ul>
 *   <li>{@code GET /api/v1/tracepoints} — every tracepoint with its state and counts;
 *   <li>{@code GET /api/v1/tracepoints/{name}} — one of them;
 *   <li>{@code GET /api/v1/tracepoints/{name}/events?...} — its rows ({@link QueryParser}
 *       parameters, plus {@code format=json|jsonl|sse} and {@code follow=true});
 *   <li>{@code GET /api/v1/namespaces/{namespace}/tracepoints}, {@code .../tracepoints/{name}} and
 *       {@code .../tracepoints/{name}/events?...} — the same for a node agent's tracepoints, named
 *       as the Kubernetes {@code Tracepoint} is: the paths the aggregated query API ({@code
 *       /apis/query.dynlog.dev/v1alpha1/namespaces/NS/tracepoints/NAME/events}) forwards to.
 * </ul>
 *
 * <p>Plain answers are built on the request thread and written without blocking; a live follow is
 * handed to the follow executor (at most {@code maxFollows} at once, more get 503), which writes it
 * with blocking writes until it ends.
 */
final class ApiHandler {

  static final String PREFIX = "/api/v1/tracepoints";

  /** The namespaced paths: {@code NAMESPACES/{namespace}/tracepoints/...}. */
  static final String NAMESPACES = "/api/v1/namespaces";

  /** The namespaced endpoints, for 404 messages. */
  static final String NAMESPACED_ENDPOINTS =
      NAMESPACES
          + "/{namespace}/tracepoints, "
          + NAMESPACES
          + "/{namespace}/tracepoints/{name}, "
          + NAMESPACES
          + "/{namespace}/tracepoints/{name}/events";

  private static final Set<String> HTTP_PARAMETERS = Set.of("follow", "format");

  private final TracepointRegistry registry;
  private final Semaphore follows;
  private final long keepAliveNanos;
  private final ExecutorService followExecutor;

  ApiHandler(
      TracepointRegistry registry,
      int maxFollows,
      long keepAliveNanos,
      ExecutorService followExecutor) {
    this.registry = registry;
    this.follows = new Semaphore(maxFollows);
    this.keepAliveNanos = keepAliveNanos;
    this.followExecutor = followExecutor;
  }

  /**
   * Answers one request (its method is GET); completes {@code callback} or throws {@link HttpError}
   * / {@code BadQueryException} before answering.
   */
  void handle(Request request, Response response, Callback callback) throws IOException {
    String path = request.getHttpURI().getPath();
    if (path.startsWith(NAMESPACES + "/")) {
      namespaced(request, response, callback, path);
      return;
    }
    if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
      noParameters(request);
      list(response, callback, registry.list());
      return;
    }
    if (!path.startsWith(PREFIX + "/")) {
      throw new HttpError(
          404, "no such endpoint '" + path + "'; endpoints: " + RootHandler.ENDPOINTS);
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
      noParameters(request);
      Answer.json(response, callback, 200, g -> TracepointJson.write(g, tp));
    } else {
      events(request, response, callback, tp);
    }
  }

  private static void list(Response response, Callback callback, List<StoredTracepoint> list)
      throws IOException {
    Answer.json(
        response,
        callback,
        200,
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart("tracepoints");
          for (StoredTracepoint tp : list) TracepointJson.write(g, tp);
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /** {@code /api/v1/namespaces/{namespace}/tracepoints[/{name}[/events]]}. */
  private void namespaced(Request request, Response response, Callback callback, String path)
      throws IOException {
    String[] rest = path.substring(NAMESPACES.length() + 1).split("/", -1);
    boolean tracepoints = rest.length >= 2 && !rest[0].isEmpty() && rest[1].equals("tracepoints");
    boolean shape =
        tracepoints
            && (rest.length <= 3
                || (rest.length == 4 && !rest[2].isEmpty() && rest[3].equals("events")));
    if (!shape) {
      throw new HttpError(404, "no such endpoint '" + path + "'; use " + NAMESPACED_ENDPOINTS);
    }
    String namespace = QueryString.decodeSegment(rest[0]);
    if (rest.length == 2 || rest[2].isEmpty()) {
      noParameters(request);
      list(response, callback, registry.list(namespace));
      return;
    }
    String name = QueryString.decodeSegment(rest[2]);
    StoredTracepoint tp =
        registry
            .find(Placement.key(namespace, name))
            .filter(t -> t.placement() != null)
            .orElseThrow(() -> notInNamespace(namespace, name));
    if (rest.length == 3) {
      noParameters(request);
      Answer.json(response, callback, 200, g -> TracepointJson.write(g, tp));
    } else {
      events(request, response, callback, tp);
    }
  }

  /** A 404 naming the tracepoints this agent has in that namespace, or the namespaces it has. */
  private HttpError notInNamespace(String namespace, String name) {
    String here =
        registry.list(namespace).stream()
            .map(tp -> tp.placement().tracepoint())
            .collect(Collectors.joining(", "));
    if (!here.isEmpty()) {
      return new HttpError(
          404,
          "no tracepoint '"
              + name
              + "' in namespace '"
              + namespace
              + "' on this agent; tracepoints in "
              + namespace
              + ": "
              + here);
    }
    String namespaces =
        registry.list().stream()
            .filter(tp -> tp.placement() != null)
            .map(tp -> tp.placement().namespace())
            .distinct()
            .collect(Collectors.joining(", "));
    return new HttpError(
        404,
        "no tracepoint '"
            + name
            + "' in namespace '"
            + namespace
            + "' on this agent; it has no tracepoint in that namespace (namespaces with"
            + " tracepoints here: "
            + (namespaces.isEmpty() ? "none" : namespaces)
            + ")");
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

  private static void noParameters(Request request) {
    Map<String, List<String>> params = QueryString.parse(request.getHttpURI().getQuery());
    if (!params.isEmpty()) {
      throw new HttpError(400, "this endpoint takes no query parameters, got " + params.keySet());
    }
  }

  private void events(Request request, Response response, Callback callback, StoredTracepoint tp)
      throws IOException {
    Map<String, List<String>> params =
        new HashMap<>(QueryString.parse(request.getHttpURI().getQuery()));
    Query query = QueryParser.parse(params, Instant.now(), HTTP_PARAMETERS);
    query.validate(tp.info(), tp.placement() != null);
    boolean follow = flag(params, "follow");
    String format = format(request, params, follow);
    if (!follow) {
      List<Row> rows = QueryEngine.run(tp, query);
      if (format.equals("jsonl")) {
        Answer.send(
            response,
            callback,
            200,
            "application/x-ndjson",
            out -> {
              try (JsonGenerator g = Answer.JSON.createGenerator(out)) {
                g.setRootValueSeparator(null);
                for (Row row : rows) {
                  RowJson.write(g, row);
                  g.writeRaw('\n');
                }
              }
            });
      } else {
        Answer.json(
            response,
            callback,
            200,
            g -> {
              g.writeStartObject();
              TracepointJson.writeName(g, tp);
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
    boolean sse = format.equals("sse");
    Subscription sub = null;
    try {
      // Subscribe before answering, so that a client that sees the headers misses no row.
      sub = tp.buffer().subscribe(query, FollowStream.QUEUE_CAPACITY);
      response.setStatus(200);
      response
          .getHeaders()
          .put(HttpHeader.CONTENT_TYPE, sse ? "text/event-stream" : "application/x-ndjson");
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
      Subscription subscribed = sub;
      followExecutor.execute(() -> follow(tp, query, subscribed, sse, response, callback));
    } catch (RuntimeException e) {
      if (sub != null) sub.close();
      follows.release();
      if (e instanceof RejectedExecutionException) {
        throw new HttpError(503, "the server is shutting down");
      }
      throw e;
    }
  }

  /** Runs on the follow executor: streams until the follow ends, then completes the answer. */
  private void follow(
      StoredTracepoint tp,
      Query query,
      Subscription sub,
      boolean sse,
      Response response,
      Callback callback) {
    try (sub) {
      OutputStream out = Content.Sink.asOutputStream(response);
      out.flush(); // the status and headers, now: the client knows it is following
      new FollowStream(sse, keepAliveNanos).run(tp, query, sub, out);
      out.close();
      callback.succeeded();
    } catch (IOException e) {
      callback.failed(e); // the client went away or stopped reading
    } catch (InterruptedException e) {
      callback.failed(e); // the server is closing
    } catch (RuntimeException e) {
      callback.failed(e);
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

  private static String format(Request request, Map<String, List<String>> params, boolean follow) {
    List<String> values = params.get("format");
    String format;
    if (values != null) {
      if (values.size() > 1)
        throw new HttpError(400, "query parameter 'format' is given " + values.size() + " times");
      format = values.get(0);
    } else {
      String accept = request.getHeaders().get(HttpHeader.ACCEPT);
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
}
