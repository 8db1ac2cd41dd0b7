package dev.dynlog.http;

import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.query.Dataset;
import dev.dynlog.store.TracepointRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * An agent HTTP server over the {@link Dataset} rows in a JVM of its own, for {@link
 * QueryFuzzTest}: the test reads everything this process prints. Prints {@code port N} on stdout,
 * serves until its stdin ends, then stops.
 */
public final class FuzzServer {

  /** The tracepoint served. */
  static final String NAME = "main.Sum";

  private FuzzServer() {}

  public static void main(String[] args) throws IOException {
    TracepointRegistry registry = Dataset.registry(NAME);
    try (DynlogMetrics metrics = new DynlogMetrics(registry);
        AgentHttpServer server =
            AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, metrics)) {
      System.out.println("port " + server.port());
      System.out.flush();
      while (System.in.read() >= 0) {
        // serve until the test closes our stdin
      }
    }
  }
}
