package dev.dynlog.http;

import dev.dynlog.metrics.DynlogMetrics;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code GET /metrics}: every metric in the Prometheus text format. */
final class MetricsHandler {

  private final DynlogMetrics metrics;

  MetricsHandler(DynlogMetrics metrics) {
    this.metrics = metrics;
  }

  void handle(Request request, Response response, Callback callback) {
    byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
    Answer.bytes(response, callback, 200, DynlogMetrics.CONTENT_TYPE, body);
  }
}
