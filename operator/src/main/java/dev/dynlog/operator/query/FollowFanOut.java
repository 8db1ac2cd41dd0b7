package dev.dynlog.operator.query;

import com.sun.net.httpserver.HttpExchange;
import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.Tracepoint;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A live follow through the aggregated API: one follow per node agent, their lines interleaved as
 * they arrive into one chunked JSONL answer. An agent whose stream ends or breaks is asked again
 * (from the last row's time) while the Tracepoint exists, with a {@code {"warning": ...}} line when
 * it became unreachable and when it is back; a node that starts running the Tracepoint is followed
 * too. The answer ends when the Tracepoint is deleted or expires, or the client leaves.
 */
final class FollowFanOut implements AutoCloseable {

  /** Lines waiting to be written; a follower blocks when the client reads more slowly. */
  static final int QUEUE = 10_000;

  /** Silence after which an empty keep-alive line is written. */
  static final long KEEP_ALIVE_MS = 5_000;

  /** How often the Tracepoint and its nodes are looked at. */
  static final long CHECK_MS = 1_000;

  /**
   * Most live follows at once: each holds one of the server's request threads, so the others stay
   * free for queries.
   */
  static final int MAX_FOLLOWS = 8;

  private static final long MAX_BACKOFF_MS = 10_000;
  private static final long LONG_STREAM_MS = 5_000;

  private final EventsFanOut fanOut;
  private final AgentClient agents;
  private final ExecutorService executor;
  private final Set<AtomicBoolean> running = ConcurrentHashMap.newKeySet();
  private final Semaphore follows = new Semaphore(MAX_FOLLOWS);

  FollowFanOut(EventsFanOut fanOut, AgentClient agents, ExecutorService executor) {
    this.fanOut = fanOut;
    this.agents = agents;
    this.executor = executor;
  }

  /** Streams until the Tracepoint ends or the client goes away; the caller closes {@code ex}. */
  void stream(HttpExchange ex, String namespace, String name, EventsParameters params)
      throws IOException {
    if (!follows.tryAcquire()) {
      QueryServer.status(
          ex, 503, "too many live follows at once (" + MAX_FOLLOWS + "); try again later");
      return;
    }
    try {
      follow(ex, namespace, name, params);
    } finally {
      follows.release();
    }
  }

  private void follow(HttpExchange ex, String namespace, String name, EventsParameters params)
      throws IOException {
    AtomicBoolean done = new AtomicBoolean();
    running.add(done);
    BlockingQueue<String> lines = new ArrayBlockingQueue<>(QUEUE);
    Map<String, Future<?>> followers = new HashMap<>();
    Map<String, String> agentsByNode = new ConcurrentHashMap<>();
    try {
      FollowFormat format = FollowFormat.of(params.format());
      ex.getResponseHeaders().set("Content-Type", format.contentType());
      ex.getResponseHeaders().set("Cache-Control", "no-cache");
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      long lastWrite = System.currentTimeMillis();
      long lastCheck = 0;
      boolean warnedEmpty = false;
      String end = "stopped";
      while (!done.get()) {
        long now = System.currentTimeMillis();
        if (now - lastCheck >= CHECK_MS) {
          lastCheck = now;
          Tracepoint tp = fanOut.tracepoint(namespace, name);
          if (tp == null) {
            end = "deleted";
            break;
          }
          if (tp.getStatus() != null && tp.getStatus().getPhase() == Phase.Expired) {
            end = "expired";
            break;
          }
          List<Target> targets = fanOut.targets(namespace, name);
          if (targets.isEmpty() && !warnedEmpty) {
            warnedEmpty = true;
            lines.offer(Warnings.line(EventsFanOut.noPods(namespace, name)));
          }
          Map<String, String> assigned = new HashMap<>();
          for (Target t : targets) {
            if (t.agent() != null) assigned.put(t.node(), t.agent());
          }
          agentsByNode.keySet().retainAll(assigned.keySet());
          agentsByNode.putAll(assigned);
          for (String node : assigned.keySet()) {
            Future<?> running = followers.get(node);
            if (running == null || running.isDone()) {
              Follower f = new Follower(node, agentsByNode, namespace, name, params, lines, done);
              followers.put(node, executor.submit(f::run));
            }
          }
        }
        String line = lines.poll(200, TimeUnit.MILLISECONDS);
        if (line != null) {
          List<String> batch = new ArrayList<>();
          batch.add(line);
          lines.drainTo(batch, 999);
          StringBuilder b = new StringBuilder();
          for (String l : batch) b.append(format.frame(l));
          out.write(b.toString().getBytes(StandardCharsets.UTF_8));
          out.flush();
          lastWrite = System.currentTimeMillis();
        } else if (System.currentTimeMillis() - lastWrite >= KEEP_ALIVE_MS) {
          out.write(format.keepAlive().getBytes(StandardCharsets.UTF_8));
          out.flush();
          lastWrite = System.currentTimeMillis();
        }
      }
      // The Tracepoint is gone or expired: what the followers queued, then the end.
      List<String> rest = new ArrayList<>();
      lines.drainTo(rest);
      StringBuilder last = new StringBuilder();
      for (String l : rest) last.append(format.frame(l));
      last.append(format.end(end));
      out.write(last.toString().getBytes(StandardCharsets.UTF_8));
      out.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the client went away
    } finally {
      done.set(true);
      running.remove(done);
      followers.values().forEach(f -> f.cancel(true));
    }
  }

  /** Ends every follow (the server closes). */
  @Override
  public void close() {
    running.forEach(d -> d.set(true));
  }

  /**
   * Follows one node's agent, reconnecting (to the address the node's assignment has then: a
   * restarted agent may serve elsewhere), until {@code done} or the node no longer runs the
   * Tracepoint.
   */
  private final class Follower {
    private final String node;
    private final Map<String, String> agentsByNode;
    private final String namespace;
    private final String name;
    private final EventsParameters params;
    private final BlockingQueue<String> lines;
    private final AtomicBoolean done;
    private Instant lastTs;

    Follower(
        String node,
        Map<String, String> agentsByNode,
        String namespace,
        String name,
        EventsParameters params,
        BlockingQueue<String> lines,
        AtomicBoolean done) {
      this.node = node;
      this.agentsByNode = agentsByNode;
      this.namespace = namespace;
      this.name = name;
      this.params = params;
      this.lines = lines;
      this.done = done;
    }

    void run() {
      boolean first = true;
      boolean announce = false;
      boolean failed = false;
      long backoff = 500;
      try {
        while (!done.get()) {
          String agent = agentsByNode.get(node);
          if (agent == null) {
            return; // the node no longer runs the Tracepoint
          }
          long started = System.currentTimeMillis();
          try (Stream<String> stream = agents.follow(agent, namespace, name, query())) {
            if (!first && announce) {
              put(Warnings.line(Warnings.node(node, "agent reconnected")));
            }
            first = false;
            failed = false;
            stream.forEach(this::accept);
            announce = System.currentTimeMillis() - started >= LONG_STREAM_MS;
          } catch (AgentException e) {
            if (!failed) {
              put(
                  Warnings.line(
                      Warnings.node(node, "agent unreachable, retrying: " + e.getMessage())));
            }
            failed = true;
            announce = true;
          } catch (UncheckedIOException e) {
            if (done.get()) {
              return;
            }
            put(Warnings.line(Warnings.node(node, "agent stream broke, reconnecting")));
            announce = true;
          }
          backoff =
              System.currentTimeMillis() - started < LONG_STREAM_MS
                  ? Math.min(backoff * 2, MAX_BACKOFF_MS)
                  : 500;
          Thread.sleep(backoff);
        }
      } catch (InterruptedException | Stop e) {
        // the follow ended
      }
    }

    /** The query, from the last row seen on when reconnecting. */
    private String query() {
      String q = params.agentQuery();
      if (lastTs == null) {
        return q;
      }
      return params.from(lastTs).agentQuery();
    }

    private void accept(String line) {
      if (done.get()) {
        throw new Stop();
      }
      if (line.isBlank()) {
        return;
      }
      try {
        AgentRow row = AgentRow.parse(line);
        if (lastTs == null || row.ts().isAfter(lastTs)) {
          lastTs = row.ts();
        }
      } catch (IllegalArgumentException notARow) {
        // passed on as it came
      }
      try {
        put(line);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Stop();
      }
    }

    private void put(String line) throws InterruptedException {
      while (!done.get()) {
        if (lines.offer(line, 200, TimeUnit.MILLISECONDS)) {
          return;
        }
      }
    }
  }

  /** Ends a follower's stream from inside its forEach. */
  private static final class Stop extends RuntimeException {
    Stop() {
      super(null, null, false, false);
    }
  }
}
