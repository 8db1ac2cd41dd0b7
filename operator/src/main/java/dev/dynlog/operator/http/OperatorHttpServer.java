package dev.dynlog.operator.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Serves {@code /metrics} (Prometheus text), {@code /healthz} (liveness: informers healthy) and
 * {@code /readyz} (readiness: operator started and informers healthy) on a small JDK server.
 */
public final class OperatorHttpServer implements AutoCloseable {

  private final HttpServer server;

  /**
   * @param port 0 for any free port
   * @param health returns null when healthy, else what is wrong
   * @param readiness returns null when ready, else what is missing
   */
  public OperatorHttpServer(
      int port,
      PrometheusMeterRegistry registry,
      Supplier<String> health,
      Supplier<String> readiness)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "dynlog-operator-http");
              t.setDaemon(true);
              return t;
            }));
    server.createContext(
        "/metrics",
        ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext("/healthz", ex -> probe(ex, health.get()));
    server.createContext("/readyz", ex -> probe(ex, readiness.get()));
    server.start();
  }

  /** The port actually bound. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static void probe(HttpExchange ex, String problem) throws IOException {
    if (problem == null) {
      respond(ex, 200, "text/plain", "ok\n");
    } else {
      respond(ex, 503, "text/plain", problem + "\n");
    }
  }

  private static void respond(HttpExchange ex, int code, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
