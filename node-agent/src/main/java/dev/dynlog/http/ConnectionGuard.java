package dev.dynlog.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Bounds what clients can hold: counts open connections in total and per client address as they are
 * accepted (beyond {@code maxConnections} a connection is closed at once; beyond {@code
 * maxPerClient} it is marked {@link Peer#excess()} and gets a short deadline), and closes a
 * connection that has not sent a complete request head within {@code headerTimeout} of its opening
 * or of its previous answer. Called by Jetty on its acceptor and selector threads (non-blocking)
 * and by {@link RootHandler} when a request head is in and when its answer is done.
 */
final class ConnectionGuard implements SelectorManager.AcceptListener, Connection.Listener {

  private final int maxConnections;
  private final int maxPerClient;
  private final Duration headerTimeout;
  private final Duration closingTimeout;
  private final Scheduler scheduler;

  private final Object lock = new Object();
  private int open;
  private final Map<InetAddress, Integer> perClient = new HashMap<>();
  private final Map<SelectableChannel, Peer> peers = new ConcurrentHashMap<>();

  ConnectionGuard(
      int maxConnections,
      int maxPerClient,
      Duration headerTimeout,
      Duration closingTimeout,
      Scheduler scheduler) {
    this.maxConnections = maxConnections;
    this.maxPerClient = maxPerClient;
    this.headerTimeout = headerTimeout;
    this.closingTimeout = closingTimeout;
    this.scheduler = scheduler;
  }

  @Override
  public void onAccepting(SelectableChannel channel) {
    InetAddress client = client(channel);
    boolean refuse = false;
    synchronized (lock) {
      if (open >= maxConnections) {
        refuse = true;
      } else {
        open++;
        int n = perClient.merge(client, 1, Integer::sum);
        peers.put(channel, new Peer(client, n > maxPerClient));
      }
    }
    if (refuse) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Closed either way.
      }
    }
  }

  @Override
  public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
    release(channel);
  }

  @Override
  public void onClosed(SelectableChannel channel) {
    release(channel);
  }

  @Override
  public void onOpened(Connection connection) {
    Peer peer = peers.get(connection.getEndPoint().getTransport());
    if (peer != null) peer.opened(connection);
  }

  /** The connection's peer, or null when it is not tracked (not a network connection). */
  Peer peer(Request request) {
    Object transport = request.getConnectionMetaData().getConnection().getEndPoint().getTransport();
    return transport instanceof SelectableChannel c ? peers.get(c) : null;
  }

  /** Connections open now (for tests and diagnostics). */
  int open() {
    synchronized (lock) {
      return open;
    }
  }

  private void release(SelectableChannel channel) {
    Peer peer = peers.remove(channel);
    if (peer == null) return;
    peer.closed();
    synchronized (lock) {
      open--;
      perClient.computeIfPresent(peer.client, (k, n) -> n == 1 ? null : n - 1);
    }
  }

  private static InetAddress client(SelectableChannel channel) {
    try {
      SocketAddress remote = channel instanceof SocketChannel s ? s.getRemoteAddress() : null;
      if (remote instanceof InetSocketAddress a && a.getAddress() != null) return a.getAddress();
    } catch (IOException e) {
      // Already closed: count it under the unknown address; its close releases it.
    }
    return InetAddress.getLoopbackAddress();
  }

  /**
   * One accepted connection: its client address, whether it is beyond the per-client cap, and its
   * request-head deadline (armed while no request is being answered).
   */
  final class Peer {
    private final InetAddress client;
    private final boolean excess;
    private Connection connection;
    private Scheduler.Task deadline;
    private int generation;
    private boolean answering;
    private boolean closed;

    private Peer(InetAddress client, boolean excess) {
      this.client = client;
      this.excess = excess;
    }

    /** The client's address. */
    InetAddress client() {
      return client;
    }

    /** True when this connection is beyond {@code maxPerClient} (it is answered 503). */
    boolean excess() {
      return excess;
    }

    private synchronized void opened(Connection c) {
      connection = c;
      arm(excess ? closingTimeout : headerTimeout);
    }

    /** A request head is in: no deadline while it is answered. */
    synchronized void requestStarted() {
      answering = true;
      cancel();
    }

    /**
     * Its answer is done: the next request head is due within the header timeout, or, when the
     * answer ends the connection ({@code closing}), the client has the closing timeout to go.
     */
    synchronized void requestDone(boolean closing) {
      answering = false;
      arm(closing || excess ? closingTimeout : headerTimeout);
    }

    private synchronized void closed() {
      closed = true;
      cancel();
    }

    private void arm(Duration timeout) {
      cancel();
      if (closed || connection == null) return;
      int g = ++generation;
      deadline = scheduler.schedule(() -> expire(g), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancel() {
      generation++;
      if (deadline != null) deadline.cancel();
      deadline = null;
    }

    private void expire(int g) {
      Connection c;
      synchronized (this) {
        if (g != generation || answering || closed) return;
        c = connection;
      }
      c.getEndPoint().close();
    }
  }
}
