package dev.dynlog.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.dynlog.metrics.DynlogMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** {@code GET /metrics}: every metric in the Prometheus text format. */
final class MetricsHandler implements HttpHandler {

  private final DynlogMetrics metrics;

  MetricsHandler(DynlogMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals("/metrics")) {
        ApiHandler.sendError(
            exchange,
            404,
            "no such endpoint '"
                + exchange.getRequestURI().getPath()
                + "'; endpoints: /metrics, "
                + ApiHandler.PREFIX);
        return;
      }
      if (!exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET");
        ApiHandler.sendError(exchange, 405, "only GET is supported");
        return;
      }
      byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", DynlogMetrics.CONTENT_TYPE);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
  }
}
