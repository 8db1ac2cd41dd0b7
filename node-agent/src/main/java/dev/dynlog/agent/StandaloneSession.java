package dev.dynlog.agent;

import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.dwarf.DwarfBinary;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.plan.ProbePlanner;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.store.TracepointState;
import dev.dynlog.symbols.Binary;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.trace.Probe;
import dev.dynlog.trace.ProbeCounters;
import dev.dynlog.trace.Row;
import dev.dynlog.trace.Target;
import dev.dynlog.trace.TraceOptions;
import dev.dynlog.trace.Tracer;
import dev.dynlog.trace.TracerException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Runs standalone tracepoints ({@code dynlog trace} and {@code dynlog run}) until each one's TTL
 * elapses, its target process exits, or the user stops dynlog (Ctrl-C, SIGTERM). Everything is
 * resolved before anything is attached, so a bad function or expression fails before the target is
 * touched. Rows go to the given sink and to the registry (the queryable store, which the caller may
 * serve over HTTP).
 */
public final class StandaloneSession {

  /** How a session ended, and the exit status of the command that ran it. */
  public enum Outcome {
    /** Every tracepoint ran until its ttl or duration elapsed. */
    COMPLETED(0),
    /** A traced process exited. */
    TARGET_EXITED(0),
    /** Stopped by Ctrl-C or SIGTERM: 128 + SIGINT, as shells report an interrupted command. */
    INTERRUPTED(130);

    private final int exitStatus;

    Outcome(int exitStatus) {
      this.exitStatus = exitStatus;
    }

    public int exitStatus() {
      return exitStatus;
    }
  }

  /** Opens a binary for resolving (a seam for tests: the real one is {@link DwarfBinary#open}). */
  public interface BinaryOpener {
    Binary open(Path path) throws ResolveException;
  }

  private final List<StandaloneTracepoint> tracepoints;
  private final TracepointRegistry registry;
  private final Duration linger;
  private final PrintStream log;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean interrupted;

  /**
   * @param registry where rows are stored and counters registered (queries and metrics read it)
   * @param linger keep running (serving the registry's queries) this long after the last tracepoint
   *     stops; zero = return at once
   * @param log where progress and the summary go (stderr), never mixed with rows
   */
  public StandaloneSession(
      List<StandaloneTracepoint> tracepoints,
      TracepointRegistry registry,
      Duration linger,
      PrintStream log) {
    this.tracepoints = List.copyOf(tracepoints);
    this.registry = registry;
    this.linger = linger;
    this.log = log;
  }

  /** A resolved tracepoint: its plan and the binary the plan came from (open until closed). */
  public record Resolved(StandaloneTracepoint tracepoint, ProbePlan plan, Binary binary) {}

  /**
   * Resolves every tracepoint's probe plan (no root needed). A file traced by several tracepoints
   * (the same device and inode, whatever the path) is opened once. The caller closes the returned
   * binaries ({@link #closeAll}); on failure every binary opened so far is closed.
   *
   * @throws ResolveException naming the process, binary, function or expression at fault
   */
  public static List<Resolved> resolve(List<StandaloneTracepoint> tracepoints, BinaryOpener opener)
      throws ResolveException {
    List<Resolved> out = new ArrayList<>();
    Map<Object, Binary> opened = new HashMap<>();
    try {
      for (StandaloneTracepoint t : tracepoints) {
        if (t.pid() > 0) checkProcess(t.pid());
        if (t.executable() != null) checkExecutable(t.executable());
        Object identity = fileIdentity(t.binary());
        Binary binary = opened.get(identity);
        if (binary == null) {
          binary = opener.open(t.binary());
          opened.put(identity, binary);
        }
        ProbePlan plan =
            new ProbePlanner(
                    binary, ProbeSettings.planOptions(t.probe()).withRedaction(t.redaction()))
                .plan(t.probe().getFunction(), t.probe().getCapture());
        out.add(new Resolved(t, plan, binary));
      }
      return out;
    } catch (ResolveException | RuntimeException e) {
      opened.values().forEach(StandaloneSession::close);
      throw e;
    }
  }

  /** The file's device and inode (following links, e.g. /proc/PID/exe), else its path. */
  private static Object fileIdentity(Path file) {
    try {
      return List.of(Files.getAttribute(file, "unix:dev"), Files.getAttribute(file, "unix:ino"));
    } catch (IOException | RuntimeException e) {
      return file.toString();
    }
  }

  /** Closes the binaries of resolved tracepoints, each once. */
  public static void closeAll(List<Resolved> resolved) {
    Set<Binary> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Resolved r : resolved) {
      if (seen.add(r.binary())) close(r.binary());
    }
  }

  /**
   * Fails unless {@code pid} is a process whose executable can be read: it exists, is not a kernel
   * thread or a zombie, and its {@code /proc/PID/exe} may be read by this process.
   */
  static void checkProcess(int pid) throws ResolveException {
    Path dir = Path.of("/proc", Integer.toString(pid));
    String problem = processProblem(pid, stat(dir));
    if (problem != null) throw new ResolveException(problem);
    try {
      Files.readSymbolicLink(dir.resolve("exe"));
    } catch (AccessDeniedException e) {
      throw new ResolveException(
          "permission denied reading "
              + dir.resolve("exe")
              + (effectiveUid() == 0
                  ? " (dynlog runs as root but lacks CAP_SYS_PTRACE over pid " + pid + ")"
                  : " (run as root or grant CAP_SYS_PTRACE)"));
    } catch (IOException e) {
      // it exited, or became a zombie, since its stat was read
      problem = processProblem(pid, stat(dir));
      throw new ResolveException(problem != null ? problem : "no process with pid " + pid);
    }
  }

  /** The text of /proc/PID/stat, or null when there is no such process. */
  private static String stat(Path dir) {
    try {
      return Files.readString(dir.resolve("stat"));
    } catch (IOException e) {
      return null;
    }
  }

  /** The kernel's flag on its own threads (include/linux/sched.h). */
  private static final long PF_KTHREAD = 0x00200000L;

  /**
   * Why the process whose /proc/PID/stat reads {@code stat} cannot be traced, or null when nothing
   * in it forbids it.
   *
   * @param stat the file's text, or null when the process does not exist
   */
  static String processProblem(int pid, String stat) {
    if (stat == null) return "no process with pid " + pid;
    // pid (comm) state ppid pgrp session tty_nr tpgid flags ...; comm may hold spaces and ')'
    int close = stat.lastIndexOf(')');
    String[] fields = close < 0 ? new String[0] : stat.substring(close + 1).trim().split(" ");
    if (fields.length < 7 || fields[0].isEmpty()) return null;
    long flags;
    try {
      flags = Long.parseUnsignedLong(fields[6]);
    } catch (NumberFormatException e) {
      return null;
    }
    if ((flags & PF_KTHREAD) != 0) {
      return "pid " + pid + " is a kernel thread (no executable to trace)";
    }
    return switch (fields[0].charAt(0)) {
      case 'Z' ->
          "pid "
              + pid
              + " is a zombie: it has exited and only waits for its parent to collect its status;"
              + " there is nothing left to trace";
      case 'X' -> "no process with pid " + pid + " (it has exited)";
      default -> null;
    };
  }

  /** The effective user id of this process, or -1 when it cannot be read. */
  private static int effectiveUid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) return Integer.parseInt(line.split("\\s+")[2]);
      }
    } catch (IOException | RuntimeException e) {
      // unknown
    }
    return -1;
  }

  /** Fails unless {@code executable} is a regular file. */
  private static void checkExecutable(Path executable) throws ResolveException {
    if (Files.notExists(executable))
      throw new ResolveException("no such executable: " + executable);
    String problem = DwarfBinary.fileProblem(executable);
    if (problem != null) throw new ResolveException(problem);
  }

  private static void close(Binary b) {
    try {
      b.close();
    } catch (IOException ignored) {
      // nothing to release beyond memory
    }
  }

  /**
   * Resolves, attaches, and delivers rows to {@code sink} (on the tracer's reader thread) until
   * every tracepoint has stopped, then detaches everything and closes the binaries.
   *
   * @param onStart called once everything is attached (e.g. to print a table header)
   */
  public Outcome run(Consumer<Row> sink, Consumer<List<Resolved>> onStart)
      throws ResolveException, TracerException {
    List<Resolved> resolved = resolve(tracepoints, DwarfBinary::open);
    Thread hook = new Thread(this::onSignal, "dynlog-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    List<Running> running = new ArrayList<>();
    boolean targetExited = false;
    try (Tracer tracer = Tracer.open()) {
      for (Resolved res : resolved) running.add(attach(tracer, res, sink));
      onStart.accept(resolved);
      while (!running.isEmpty()) {
        boolean stop = stopRequested.await(100, TimeUnit.MILLISECONDS);
        for (var it = running.iterator(); it.hasNext(); ) {
          Running run = it.next();
          String why = null;
          TracepointState state = TracepointState.STOPPED;
          if (stop) {
            why = "stopped";
          } else if (!run.probe.targetAlive()) {
            why = "process " + run.tracepoint.pid() + " exited";
            targetExited = true;
          } else if (System.nanoTime() - run.deadline >= 0) {
            if (run.tracepoint.duration()) {
              why = "duration of " + human(run.tracepoint.ttl()) + " elapsed";
            } else {
              why = "ttl of " + human(run.tracepoint.ttl()) + " elapsed";
              state = TracepointState.EXPIRED;
            }
          }
          if (why != null) {
            run.probe.close();
            registry.stop(run.tracepoint.name(), state, why);
            log.println(
                "dynlog: "
                    + why
                    + "; detached "
                    + run.tracepoint.name()
                    + " ("
                    + summary(run.probe)
                    + ")");
            it.remove();
          }
        }
      }
      if (!linger.isZero() && stopRequested.getCount() > 0) {
        log.println("dynlog: serving queries for another " + human(linger) + "; Ctrl-C to stop");
        stopRequested.await(linger.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      // detach every probe first, then collect the rows once: not one flush per probe while the
      // others still write
      Probe.detachAll(running.stream().map(r -> r.probe).toList());
      for (Running run : running) run.probe.close();
      closeAll(resolved);
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

  private Running attach(Tracer tracer, Resolved res, Consumer<Row> sink) throws TracerException {
    StandaloneTracepoint t = res.tracepoint();
    TraceOptions opts = ProbeSettings.traceOptions(t.name(), t.probe(), res.binary()::symbolize);
    Target target = t.pid() > 0 ? Target.process(t.pid()) : Target.executable();
    // Registered before attaching, so that the first row finds its tracepoint in the store.
    AtomicReference<Probe> attached = new AtomicReference<>();
    long[] bounds = opts.latencyBucketBoundsNs();
    registry.register(
        new TracepointInfo(
            t.name(),
            t.probe().getFunction(),
            t.targetDescription(),
            t.probe().getCapture().stream().map(Capture::getName).toList(),
            t.probe().isLatency(),
            ProbeSettings.labels(t.probe()),
            RedactionGuard.of(t.redaction(), t.probe().getCapture())),
        () -> counters(attached.get(), bounds));
    Probe probe;
    try {
      probe =
          tracer.attach(
              res.plan(),
              target,
              opts,
              row -> {
                registry.append(row);
                sink.accept(row);
              });
    } catch (TracerException | RuntimeException e) {
      registry.stop(t.name(), TracepointState.STOPPED, "attach failed: " + e.getMessage());
      throw e;
    }
    attached.set(probe);
    long deadline = t.ttl() == null ? Long.MAX_VALUE : System.nanoTime() + t.ttl().toNanos();
    log.printf(
        Locale.ROOT,
        "dynlog: tracing %s in %s (%d probes)%s%n",
        res.plan().function(),
        t.targetDescription(),
        probe.attachedProbes(),
        t.ttl() == null ? "; Ctrl-C to stop" : " for " + human(t.ttl()) + "; Ctrl-C to stop");
    return new Running(t, probe, deadline);
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

  private static ProbeCounters counters(Probe probe, long[] bounds) {
    if (probe == null)
      return new ProbeCounters(
          0, 0, 0, bounds, new long[bounds.length + 1], 0, 0, 0, 0, 0, 0, 0, 0);
    try {
      return probe.counters();
    } catch (TracerException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static String summary(Probe probe) {
    try {
      ProbeCounters c = probe.counters();
      long dropped =
          c.droppedRingFull()
              + c.droppedRateLimited()
              + c.droppedPairingEvicted()
              + c.droppedDecodeFailed();
      return c.calls()
          + " calls, "
          + probe.rowsDelivered()
          + " rows"
          + (dropped > 0 ? ", " + dropped + " dropped" : "");
    } catch (TracerException e) {
      return probe.rowsDelivered() + " rows";
    }
  }

  private static String human(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  private record Running(StandaloneTracepoint tracepoint, Probe probe, long deadline) {}
}
