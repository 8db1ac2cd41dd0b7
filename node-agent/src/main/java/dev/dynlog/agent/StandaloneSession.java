package dev.dynlog.agent;

import dev.dynlog.dwarf.DwarfBinary;
import dev.dynlog.http.AgentHttpServer;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.plan.PlanOptions;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.plan.ProbePlanner;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.store.TracepointState;
import dev.dynlog.symbols.Binary;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.trace.ProbeCounters;
import dev.dynlog.trace.Row;
import dev.dynlog.trace.Target;
import dev.dynlog.trace.TraceOptions;
import dev.dynlog.trace.Tracepoint;
import dev.dynlog.trace.Tracer;
import dev.dynlog.trace.TracerException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs standalone tracepoints ({@code dynlog trace} and {@code dynlog run}) until each one's TTL
 * elapses, its target process exits, or the user stops dynlog (Ctrl-C, SIGTERM). Everything is
 * resolved before anything is attached, so a bad function or expression fails before the target
 * is touched. Rows go to the given sink and, with {@code --http}, to the queryable store.
 */
public final class StandaloneSession {

  /** How a session ended. */
  public enum Outcome { COMPLETED, TARGET_EXITED, INTERRUPTED }

  private final List<TracepointRequest> requests;
  private final InetSocketAddress http;
  private final StoreConfig storeConfig;
  private final PrintStream log;
  private final java.time.Duration linger;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean interrupted;

  /**
   * @param http address to serve /metrics and /api/v1 on, or null
   * @param linger with {@code http}: keep serving queries this long after the last tracepoint stops
   * @param log where progress and the summary go (stderr), never mixed with rows
   */
  public StandaloneSession(List<TracepointRequest> requests, InetSocketAddress http, StoreConfig storeConfig,
      java.time.Duration linger, PrintStream log) {
    this.linger = linger;
    this.requests = List.copyOf(requests);
    this.http = http;
    this.storeConfig = storeConfig;
    this.log = log;
  }

  /** A resolved request: its plan and the binary the plan came from. */
  public record Resolved(TracepointRequest request, ProbePlan plan, Binary binary) {}

  /**
   * Resolves every request's probe plan (no root needed).
   *
   * @throws ResolveException naming the process, binary, function or expression at fault
   */
  public static List<Resolved> resolve(List<TracepointRequest> requests) throws ResolveException {
    List<Resolved> out = new ArrayList<>();
    for (TracepointRequest r : requests) {
      if (r.pid() > 0 && !Files.isDirectory(Path.of("/proc/" + r.pid()))) {
        throw new ResolveException("no process with pid " + r.pid());
      }
      if (r.executable() != null && !Files.isRegularFile(r.executable())) {
        throw new ResolveException("no such executable: " + r.executable());
      }
      Binary binary = DwarfBinary.open(r.binary());
      PlanOptions options = PlanOptions.defaults().withStringCap(Math.min(r.maxStringBytes(), PlanOptions.LIMIT_STRING_CAP));
      ProbePlan plan = new ProbePlanner(binary, options).plan(r.function(), r.captures());
      out.add(new Resolved(r, plan, binary));
    }
    return out;
  }

  /**
   * Resolves, attaches, and delivers rows to {@code sink} (on the tracer's reader thread) until every
   * tracepoint has stopped, then detaches everything.
   *
   * @param onStart called once everything is attached (e.g. to print a table header)
   */
  public Outcome run(Consumer<Row> sink, Consumer<List<Resolved>> onStart)
      throws ResolveException, TracerException, IOException {
    List<Resolved> resolved = resolve(requests);
    Thread hook = new Thread(this::onSignal, "dynlog-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    TracepointRegistry registry = new TracepointRegistry(storeConfig);
    DynlogMetrics metrics = null;
    AgentHttpServer server = null;
    List<Running> running = new ArrayList<>();
    boolean targetExited = false;
    try (Tracer tracer = Tracer.open()) {
      if (http != null) {
        metrics = new DynlogMetrics(registry);
        server = AgentHttpServer.start(http, registry, metrics);
        log.println("dynlog: serving /metrics and /api/v1 on " + server.baseUri());
      }
      for (Resolved res : resolved) {
        TracepointRequest r = res.request();
        TraceOptions opts = TraceOptions.defaults()
            .withName(r.name())
            .withLatency(r.latency())
            .withMaxEventsPerSecond(r.maxEventsPerSecond())
            .withSampleRatio(r.sampleRatio())
            .withSymbolizer(res.binary()::symbolize);
        Target target = r.pid() > 0 ? Target.process(r.pid()) : Target.executable();
        // Registered before attaching, so that the first row finds its tracepoint in the store.
        java.util.concurrent.atomic.AtomicReference<Tracepoint> attached = new java.util.concurrent.atomic.AtomicReference<>();
        registry.register(
            new TracepointInfo(r.name(), r.function(), r.targetDescription(),
                r.captures().stream().map(c -> c.name()).toList(), r.latency(), r.labels()),
            () -> counters(attached.get()));
        Tracepoint tp = tracer.attach(res.plan(), target, opts, row -> {
          registry.append(row);
          sink.accept(row);
        });
        attached.set(tp);
        long deadline = r.ttl() == null ? Long.MAX_VALUE : System.nanoTime() + r.ttl().toNanos();
        running.add(new Running(r, tp, deadline));
        log.printf(Locale.ROOT, "dynlog: tracing %s in %s (%d probes)%s%n", res.plan().function(), r.targetDescription(),
            tp.attachedProbes(), r.ttl() == null ? "; Ctrl-C to stop" : " for " + human(r.ttl()) + "; Ctrl-C to stop");
      }
      onStart.accept(resolved);
      while (!running.isEmpty()) {
        boolean stop = stopRequested.await(100, TimeUnit.MILLISECONDS);
        for (var it = running.iterator(); it.hasNext(); ) {
          Running run = it.next();
          String why = null;
          TracepointState state = TracepointState.STOPPED;
          if (stop) {
            why = "stopped";
          } else if (!run.tp.targetAlive()) {
            why = "process " + run.request.pid() + " exited";
            targetExited = true;
          } else if (System.nanoTime() - run.deadline >= 0) {
            why = "ttl of " + human(run.request.ttl()) + " elapsed";
            state = TracepointState.EXPIRED;
          }
          if (why != null) {
            tracer.flush();
            run.tp.close();
            registry.stop(run.request.name(), state, why);
            log.println("dynlog: " + why + "; detached " + run.request.name() + " (" + summary(run.tp) + ")");
            it.remove();
          }
        }
      }
      if (server != null && !linger.isZero() && stopRequested.getCount() > 0) {
        log.println("dynlog: serving queries on " + server.baseUri() + " for another " + human(linger) + "; Ctrl-C to stop");
        stopRequested.await(linger.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      for (Running run : running) run.tp.close();
      if (server != null) server.close();
      if (metrics != null) metrics.close();
      finished.countDown();
      if (!interrupted) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the JVM is already exiting; the hook waits for us
        }
      }
    }
    if (interrupted) return Outcome.INTERRUPTED;
    return targetExited ? Outcome.TARGET_EXITED : Outcome.COMPLETED;
  }

  /** Asks a running session to stop (as Ctrl-C does). */
  public void stop() {
    stopRequested.countDown();
  }

  private void onSignal() {
    interrupted = true;
    stopRequested.countDown();
    try {
      finished.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ProbeCounters counters(Tracepoint tp) {
    if (tp == null) {
      long[] bounds = TraceOptions.DEFAULT_BOUNDS_NS;
      return new ProbeCounters(0, 0, 0, bounds, new long[bounds.length + 1], 0, 0, 0, 0, 0, 0, 0, 0);
    }
    try {
      return tp.counters();
    } catch (TracerException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static String summary(Tracepoint tp) {
    try {
      ProbeCounters c = tp.counters();
      long dropped = c.droppedRingFull() + c.droppedRateLimited() + c.droppedPairingEvicted() + c.droppedDecodeFailed();
      return c.calls() + " calls, " + tp.rowsDelivered() + " rows" + (dropped > 0 ? ", " + dropped + " dropped" : "");
    } catch (TracerException e) {
      return tp.rowsDelivered() + " rows";
    }
  }

  private static String human(java.time.Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  private record Running(TracepointRequest request, Tracepoint tp, long deadline) {}
}
