package dev.dynlog.http;

import com.sun.net.httpserver.HttpServer;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.store.TracepointRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's HTTP server ({@code --http ADDR}): {@code /metrics} and the query API under {@code
 * /api/v1/}. Requests run on a bounded pool of {@link #THREADS} threads with a bounded queue; at
 * most {@link #MAX_FOLLOWS} live follows run at once (more get 503), so plain queries always have
 * threads left.
 *
 * <pre>{@code
 * TracepointRegistry registry = new TracepointRegistry(StoreConfig.DEFAULT);
 * DynlogMetrics metrics = new DynlogMetrics(registry);
 * try (AgentHttpServer http = AgentHttpServer.start(HttpAddress.parse("127.0.0.1:9464"), registry, metrics)) {
 *   ...
 * }
 * }</pre>
 */
public final class AgentHttpServer implements AutoCloseable {

  /** Request threads. */
  public static final int THREADS = 16;

  /** Live follows served at once. */
  public static final int MAX_FOLLOWS = 8;

  private static final int QUEUE = 256;
  private static final String NODELAY = "sun.net.httpserver.nodelay";
  private static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final HttpServer server;
  private final ThreadPoolExecutor pool;

  private AgentHttpServer(HttpServer server, ThreadPoolExecutor pool) {
    this.server = server;
    this.pool = pool;
  }

  /**
   * Binds and starts serving.
   *
   * @throws IOException when the address cannot be bound (the message names it)
   */
  public static AgentHttpServer start(
      InetSocketAddress address, TracepointRegistry registry, DynlogMetrics metrics)
      throws IOException {
    // Without TCP_NODELAY the JDK server writes headers and body separately and every answer
    // waits ~40 ms for the client's delayed ACK (read once, when the server classes initialise).
    if (System.getProperty(NODELAY) == null) System.setProperty(NODELAY, "true");
    HttpServer server;
    try {
      server = HttpServer.create(address, 64);
    } catch (IOException e) {
      throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
    }
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "dynlog-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(pool);
    server.createContext("/metrics", new MetricsHandler(metrics));
    server.createContext("/", new ApiHandler(registry, MAX_FOLLOWS, KEEP_ALIVE_NANOS));
    server.start();
    return new AgentHttpServer(server, pool);
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://HOST:PORT} of this server (loopback when bound to all interfaces). */
  public URI baseUri() {
    InetSocketAddress a = server.getAddress();
    String host =
        a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
    if (host.contains(":")) host = "[" + host + "]";
    return URI.create("http://" + host + ":" + a.getPort());
  }

  /** Stops accepting, ends live follows and releases the port. */
  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
