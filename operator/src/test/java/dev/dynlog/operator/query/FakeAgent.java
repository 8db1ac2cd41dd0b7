package dev.dynlog.operator.query;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A stand-in for a node agent's namespaced events endpoint: answers fixed JSONL rows (newest first
 * unless the query says {@code order=oldest}), a follow as those rows and then an open stream, or
 * nothing at all ({@link #silent}); a {@code where} on the capture {@code nope} gets the agent's
 * 400. Records each request's path, query and Authorization header.
 */
final class FakeAgent implements AutoCloseable {

  /** One request as the agent saw it. */
  record Seen(String path, String query, String authorization) {}

  private HttpServer server;
  private volatile List<String> rowsOldestFirst;
  private final boolean silent;
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  private FakeAgent(List<String> rowsOldestFirst, boolean silent) throws IOException {
    this.rowsOldestFirst = List.copyOf(rowsOldestFirst);
    this.silent = silent;
    listen(0);
  }

  private void listen(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.setExecutor(
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "fake-agent");
              t.setDaemon(true);
              return t;
            }));
    server.createContext("/", this::handle);
    server.start();
  }

  /** An agent holding these rows. */
  static FakeAgent withRows(List<String> rowsOldestFirst) throws IOException {
    return new FakeAgent(rowsOldestFirst, false);
  }

  /** An agent that accepts connections and never answers. */
  static FakeAgent silent() throws IOException {
    return new FakeAgent(List.of(), true);
  }

  /** A row at second {@code s} of 2026-01-01T00:00 on {@code node}. */
  static String row(int s, String node) {
    return String.format(
        "{\"ts\":\"2026-01-01T00:00:%02d.000000000Z\",\"pid\":1,\"function\":\"main.F\","
            + "\"node\":\"%s\",\"captures\":{}}",
        s, node);
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    String query = ex.getRequestURI().getRawQuery();
    seen.add(
        new Seen(
            ex.getRequestURI().getPath(), query, ex.getRequestHeaders().getFirst("Authorization")));
    if (silent) {
      sleep(60_000);
      return;
    }
    try (ex) {
      if (query != null && query.contains("where=nope")) {
        byte[] error =
            "{\"error\": \"unknown field 'nope' in where 'nope=1': tracepoint 'login' captures user, n\"}\n"
                .getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(400, error.length);
        ex.getResponseBody().write(error);
        return;
      }
      boolean follow = query != null && query.contains("follow=true");
      boolean oldest = follow || (query != null && query.contains("order=oldest"));
      List<String> rows = rowsOldestFirst;
      if (!oldest) {
        rows = new ArrayList<>(rows);
        Collections.reverse(rows);
      }
      ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
      ex.sendResponseHeaders(200, follow ? 0 : rows.isEmpty() ? -1 : bytes(rows).length);
      OutputStream out = ex.getResponseBody();
      out.write(bytes(rows));
      out.flush();
      if (follow) {
        sleep(60_000);
      }
    }
  }

  private static byte[] bytes(List<String> rows) {
    StringBuilder b = new StringBuilder();
    for (String r : rows) b.append(r).append('\n');
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts again on the same port (as a restarted agent), now holding {@code rows}. */
  void restart(List<String> rows) throws IOException {
    int port = server.getAddress().getPort();
    rowsOldestFirst = List.copyOf(rows);
    listen(port);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
