package dev.dynlog.http;

import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.store.TracepointRegistry;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * The agent's HTTP server ({@code --http ADDR}): {@code /metrics}, {@code /healthz} and the query
 * API under {@code /api/v1/}, on Jetty's non-blocking connector, so an idle or slow connection
 * holds no thread. Plain requests run on a pool of {@link #THREADS} threads; live follows run on an
 * executor of their own ({@link #MAX_FOLLOWS} threads, more follows get 503), so they never take
 * the threads that queries and scrapes need. Hostile clients are bounded by {@link
 * #HEADER_TIMEOUT}, {@link #IDLE_TIMEOUT}, {@link #MAX_CONNECTIONS_PER_CLIENT} and {@link
 * #MAX_CONNECTIONS} (docs/query-api.md, "Limits").
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

  /**
   * Threads for plain requests (queries, {@code /metrics}, {@code /healthz}) and the server's own
   * accepting and selecting; idle connections and connections still sending their request hold
   * none.
   */
  public static final int THREADS = 16;

  /** Live follows served at once, each on a thread of the follow executor; more get 503. */
  public static final int MAX_FOLLOWS = 8;

  /**
   * Open connections at once. A connection accepted beyond this is closed at once, before anything
   * is read from it.
   */
  public static final int MAX_CONNECTIONS = 512;

  /**
   * Open connections at once from one client address. Beyond this a connection is answered {@code
   * 503} with {@code Connection: close} as soon as its request head is in, and closed if that head
   * does not come within {@link #CLOSING_TIMEOUT}.
   */
  public static final int MAX_CONNECTIONS_PER_CLIENT = 32;

  /**
   * Time a connection has to send a complete request head (request line and headers), counted from
   * its opening or from the end of its previous answer; then it is closed. This also closes idle
   * keep-alive connections.
   */
  public static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Time a connection the server is ending gets before it is closed: one beyond {@link
   * #MAX_CONNECTIONS_PER_CLIENT} to send its request head, and any connection after an answer with
   * {@code Connection: close} (e.g. a request that came with a body, which is never read).
   */
  public static final Duration CLOSING_TIMEOUT = Duration.ofSeconds(1);

  /**
   * Time without a byte read or written after which a connection is closed, e.g. a client that
   * stops reading its answer or its follow (a follow writes a keep-alive every 5 s).
   */
  public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

  /** Largest request head (request line and headers); a larger one gets 414 or 431. */
  public static final int MAX_REQUEST_HEAD_BYTES = 8 * 1024;

  private static final int BACKLOG = 128;
  private static final Duration FOLLOW_KEEP_ALIVE = Duration.ofSeconds(5);

  private final Server server;
  private final ServerConnector connector;
  private final ConnectionGuard guard;
  private final InetAddress bound;
  private final ExecutorService follows;

  private AgentHttpServer(
      Server server,
      ServerConnector connector,
      ConnectionGuard guard,
      InetAddress bound,
      ExecutorService follows) {
    this.server = server;
    this.connector = connector;
    this.guard = guard;
    this.bound = bound;
    this.follows = follows;
  }

  /**
   * Binds and starts serving.
   *
   * @throws IOException when the address cannot be bound (the message names it)
   */
  public static AgentHttpServer start(
      InetSocketAddress address, TracepointRegistry registry, DynlogMetrics metrics)
      throws IOException {
    return start(address, registry, metrics, null);
  }

  /**
   * Binds and starts serving; with an {@code authenticator} (a node agent), the query API answers
   * only requests whose bearer token it allows ({@code /metrics} and {@code /healthz} stay open).
   *
   * @throws IOException when the address cannot be bound (the message names it)
   */
  public static AgentHttpServer start(
      InetSocketAddress address,
      TracepointRegistry registry,
      DynlogMetrics metrics,
      QueryAuthenticator authenticator)
      throws IOException {
    if (address.isUnresolved()) {
      throw new IOException("cannot listen on " + hostPort(address) + ": unknown host");
    }
    QueuedThreadPool pool = new QueuedThreadPool(THREADS, 4);
    pool.setName("dynlog-http");
    pool.setDaemon(true);
    ScheduledExecutorScheduler scheduler =
        new ScheduledExecutorScheduler("dynlog-http-timer", true);
    Server server = new Server(pool, scheduler, null);
    server.setErrorHandler(new JsonErrorHandler());

    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    config.setRequestHeaderSize(MAX_REQUEST_HEAD_BYTES);
    // Paths are routed on their raw form and each segment decoded once by QueryString: an encoded
    // '/' or '%' in a tracepoint name (Go package paths) is data, and no path reaches a file.
    config.setUriCompliance(UriCompliance.UNSAFE);

    ServerConnector connector =
        new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
    connector.setHost(address.getAddress().getHostAddress());
    connector.setPort(address.getPort());
    connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
    connector.setAcceptQueueSize(BACKLOG);
    ConnectionGuard guard =
        new ConnectionGuard(
            MAX_CONNECTIONS,
            MAX_CONNECTIONS_PER_CLIENT,
            HEADER_TIMEOUT,
            CLOSING_TIMEOUT,
            scheduler);
    connector.addBean(guard);
    server.addConnector(connector);

    AtomicInteger n = new AtomicInteger();
    ExecutorService follows =
        Executors.newFixedThreadPool(
            MAX_FOLLOWS,
            r -> {
              Thread t = new Thread(r, "dynlog-follow-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setHandler(
        new RootHandler(
            guard,
            MAX_CONNECTIONS_PER_CLIENT,
            new MetricsHandler(metrics),
            new ApiHandler(registry, MAX_FOLLOWS, FOLLOW_KEEP_ALIVE.toNanos(), follows),
            authenticator));
    try {
      server.start();
    } catch (Exception e) {
      follows.shutdownNow();
      stopQuietly(server);
      throw new IOException("cannot listen on " + hostPort(address) + ": " + reason(e), e);
    }
    return new AgentHttpServer(server, connector, guard, address.getAddress(), follows);
  }

  /**
   * {@code HOST:PORT}: the numeric address (IPv6 shortened, in brackets), or the unresolved name.
   */
  static String hostPort(InetSocketAddress address) {
    InetAddress a = address.getAddress();
    String host = a == null ? address.getHostString() : numeric(a);
    if (host.contains(":")) host = "[" + host + "]";
    return host + ":" + address.getPort();
  }

  /** The address as text; IPv6 with its longest run of zero groups written {@code ::}. */
  private static String numeric(InetAddress a) {
    String text = a.getHostAddress();
    int zone = text.indexOf('%');
    if (!(a instanceof Inet6Address)) return text;
    String[] groups = (zone < 0 ? text : text.substring(0, zone)).split(":");
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < groups.length; ) {
      int j = i;
      while (j < groups.length && groups[j].equals("0")) j++;
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = Math.max(j, i + 1);
    }
    if (bestStart < 0) return text;
    String head = String.join(":", Arrays.asList(groups).subList(0, bestStart));
    String tail =
        String.join(":", Arrays.asList(groups).subList(bestStart + bestLength, groups.length));
    return head + "::" + tail + (zone < 0 ? "" : text.substring(zone));
  }

  /** The innermost message of a failure ("Address already in use"). */
  private static String reason(Throwable e) {
    String message = e.getMessage();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null) message = t.getMessage();
    }
    return message == null ? "the server did not start" : message;
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception ignored) {
      // Nothing was serving yet.
    }
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /** Connections open now, as counted against {@link #MAX_CONNECTIONS}. */
  int openConnections() {
    return guard.open();
  }

  /** Whether the server listens on every interface ({@code 0.0.0.0} or {@code ::}). */
  public boolean allInterfaces() {
    return bound.isAnyLocalAddress();
  }

  /** {@code http://HOST:PORT} of this server (loopback when bound to all interfaces). */
  public URI baseUri() {
    String host = bound.isAnyLocalAddress() ? HttpAddress.LOOPBACK : numeric(bound);
    if (host.contains(":")) host = "[" + host + "]";
    return URI.create("http://" + host + ":" + port());
  }

  /** Stops accepting, ends live follows and releases the port. */
  @Override
  public void close() {
    follows.shutdownNow();
    stopQuietly(server);
    try {
      follows.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
