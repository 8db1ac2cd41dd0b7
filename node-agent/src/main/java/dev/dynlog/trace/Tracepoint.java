package dev.dynlog.trace;

import com.sun.jna.Memory;
import dev.dynlog.bpf.BpfException;
import dev.dynlog.bpf.BpfMap;
import dev.dynlog.bpf.Layout;
import dev.dynlog.bpf.Recipe;
import dev.dynlog.bpf.UprobeLink;
import dev.dynlog.plan.Decoder;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.plan.Read;
import dev.dynlog.plan.ValuePlan;
import dev.dynlog.symbols.Language;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One function being traced: its probe id, recipes and attached uprobes. Obtained from
 * {@link Tracer#attach}; {@link #close()} detaches every uprobe it attached, delivers the rows of
 * calls already captured, and frees its kernel state.
 */
public final class Tracepoint implements AutoCloseable {
  private final Tracer tracer;
  private final int probe;
  private final String name;
  private final ProbePlan plan;
  private final Target target;
  private final TraceOptions opts;
  private final CallAssembler assembler;
  private final List<UprobeLink> links = new ArrayList<>();
  private final long[] bounds;
  private boolean paired;
  private boolean retSites;
  private boolean closed;
  private ProbeCounters finalCounters;

  Tracepoint(Tracer tracer, int probe, String name, ProbePlan plan, Target target, TraceOptions opts, CallAssembler assembler) {
    this.tracer = tracer;
    this.probe = probe;
    this.name = name;
    this.plan = plan;
    this.target = target;
    this.opts = opts;
    this.assembler = assembler;
    this.bounds = opts.latencyBucketBoundsNs();
  }

  /** Writes the recipes and configuration, then attaches the uprobes. */
  void start() throws TracerException {
    boolean go = plan.language() == Language.GO;
    // Go: never uretprobes (Go moves stacks). C++: not either, because a C++ exception unwinding
    // through a frame whose return address points at the uretprobe trampoline terminates the program;
    // calls that leave through a tail call or an exception are then unpaired and counted as evicted.
    retSites = go || (plan.language() == Language.CPP && !plan.retFileOffsets().isEmpty());
    List<Read> entryReads = new ArrayList<>();
    List<Read> returnReads = new ArrayList<>();
    int errorRead = -1;
    for (ValuePlan v : plan.values()) {
      if (v.atReturn()) {
        if (v.decoder() instanceof Decoder.GoInterface g && "error".equals(v.typeName())) {
          errorRead = returnReads.size() + g.read();
        } else if (v.decoder() instanceof Decoder.GoError g) {
          errorRead = returnReads.size() + g.read();
        }
        returnReads.addAll(v.reads());
      } else {
        entryReads.addAll(v.reads());
      }
    }
    // Non-nil Go errors are counted in the kernel for every call (dynlog_errors_total), captured or
    // not: the error's type word is read at return even when no capture asks for it.
    if (errorRead < 0 && plan.errorResult() != null && returnReads.size() < Layout.MAX_READS) {
      errorRead = returnReads.size();
      returnReads.add(plan.errorResult());
    }
    paired = opts.latency() || !returnReads.isEmpty();
    if (!target.allProcesses() && !Files.isDirectory(Path.of("/proc/" + target.pid()))) {
      throw new TracerException("no process with pid " + target.pid());
    }
    if (!Files.isRegularFile(Path.of(plan.binaryPath()))) {
      throw new TracerException("binary " + plan.binaryPath() + " does not exist");
    }
    if (go && paired && plan.goRuntime() == null) {
      throw new TracerException(plan.function() + ": a Go return probe needs runtime.g offsets (goid, stack.hi), the plan has none");
    }
    if (go && paired && plan.retFileOffsets().isEmpty()) {
      throw new TracerException(plan.function() + " in " + plan.binaryPath()
          + ": no RET instruction found, so results and latency cannot be captured (Go needs a uprobe on each RET)");
    }
    try {
      BpfMap recipes = tracer.recipesMap();
      recipes.update(BpfMap.intKey(probe * 2 + Layout.SITE_ENTRY), Recipe.encode(plan.function(), "entry", entryReads, -1));
      recipes.update(BpfMap.intKey(probe * 2 + Layout.SITE_RETURN), Recipe.encode(plan.function(), "return", returnReads, errorRead));
      int cpus = tracer.object().possibleCpus();
      tracer.statsMap().update(BpfMap.intKey(probe), Tracer.zeroed((long) Layout.STATS_SIZE * cpus));
      tracer.ratesMap().update(BpfMap.intKey(probe), Tracer.zeroed(Layout.RATE_SIZE));
      tracer.sweeper().watch(probe, opts.pairingTimeout().toNanos());
      tracer.route(probe, assembler);
      tracer.probesMap().update(BpfMap.intKey(probe), config(go));
      String path = plan.binaryPath();
      links.add(tracer.object().attachUprobe(Tracer.entryProgram(), target.pid(), path, plan.entryFileOffset(), probe, false));
      if (paired && retSites) {
        for (long ret : plan.retFileOffsets()) {
          links.add(tracer.object().attachUprobe(Tracer.returnProgram(), target.pid(), path, ret, probe, false));
        }
      } else if (paired) {
        links.add(tracer.object().attachUprobe(Tracer.returnProgram(), target.pid(), path, plan.entryFileOffset(), probe, true));
      }
    } catch (BpfException e) {
      throw new TracerException(plan.function() + ": " + e.getMessage(), e);
    }
  }

  private Memory config(boolean go) {
    Memory m = Tracer.zeroed(Layout.CFG_SIZE);
    int flags = Layout.F_ACTIVE | (go ? Layout.F_GO : 0) | (paired ? Layout.F_PAIRED : 0) | (retSites ? Layout.F_RETSITE : 0);
    m.setInt(Layout.CFG_FLAGS, flags);
    m.setInt(Layout.CFG_NBOUNDS, bounds.length);
    m.setLong(Layout.CFG_SCHEDPC_OFF, -1);
    if (go && plan.goRuntime() != null) {
      m.setLong(Layout.CFG_GOID_OFF, plan.goRuntime().goidOffset());
      m.setLong(Layout.CFG_STACKHI_OFF, plan.goRuntime().stackHiOffset());
      m.setLong(Layout.CFG_SCHEDPC_OFF, plan.goRuntime().schedPcOffset());
    }
    long rate = opts.maxEventsPerSecond();
    if (rate > 0) {
      long interval = Math.max(1, 1_000_000_000L / rate);
      m.setLong(Layout.CFG_INTERVAL_NS, interval);
      m.setLong(Layout.CFG_BURST_NS, interval * Math.max(1, rate));
    }
    m.setLong(Layout.CFG_SAMPLE_THRESH, opts.sampleRatio() >= 1 ? 1L << 32 : (long) (opts.sampleRatio() * 4294967296.0));
    for (int i = 0; i < bounds.length; i++) m.setLong(Layout.CFG_BOUNDS + 8L * i, bounds[i]);
    return m;
  }

  /** The tracepoint's name (rows' {@code tracepoint}). */
  public String name() {
    return name;
  }

  public ProbePlan plan() {
    return plan;
  }

  public Target target() {
    return target;
  }

  int probe() {
    return probe;
  }

  /** Uprobes currently attached (entry + one per RET for Go and C++, entry + uretprobe for C). */
  public synchronized int attachedProbes() {
    return closed ? 0 : links.size();
  }

  /** False once a traced single process has exited (tracing it further yields nothing). */
  public boolean targetAlive() {
    return target.allProcesses() || Files.isDirectory(Path.of("/proc/" + target.pid()));
  }

  /**
   * Cumulative counters: the kernel's per-probe counts (summed over CPUs, exact for every call),
   * pairing evictions, user-space decode failures, and the probe's share of the BPF programs' run
   * time (its invocations × the programs' average run time per invocation, from the kernel's
   * BPF_ENABLE_STATS statistics).
   */
  public ProbeCounters counters() throws TracerException {
    synchronized (this) {
      if (closed) return finalCounters;
    }
    long[] s = new long[Layout.STATS_SIZE / 8];
    int cpus = tracer.object().possibleCpus();
    Memory m = new Memory((long) Layout.STATS_SIZE * cpus);
    try {
      tracer.statsMap().lookup(BpfMap.intKey(probe), m);
    } catch (BpfException e) {
      throw new TracerException(name + ": " + e.getMessage(), e);
    }
    for (int c = 0; c < cpus; c++) {
      for (int f = 0; f < s.length; f++) s[f] += m.getLong((long) c * Layout.STATS_SIZE + 8L * f);
    }
    long[] hist = new long[bounds.length + 1];
    for (int i = 0; i < bounds.length; i++) hist[i] = s[Layout.STAT_HIST + i];
    hist[bounds.length] = s[Layout.STAT_HIST + Layout.MAX_BOUNDS];
    long hits = s[Layout.STAT_HITS];
    long evicted = s[Layout.STAT_STALE] + s[Layout.STAT_PAIR_FULL] + tracer.sweeper().evicted(probe);
    return new ProbeCounters(
        s[Layout.STAT_CALLS], s[Layout.STAT_RETURNS], s[Layout.STAT_ERRORS], bounds.clone(), hist, s[Layout.STAT_LAT_SUM],
        s[Layout.STAT_RING_FULL], s[Layout.STAT_RATE_LIMITED], evicted, assembler.decodeFailed.get(),
        Math.round(hits * tracer.averageRunTimeNs()), hits, attachedProbes());
  }

  /** Rows whose call returned on another thread than it entered (goroutine migration). */
  long migratedCalls() {
    return assembler.migrated.get();
  }

  /** Rows delivered to the sink so far. */
  public long rowsDelivered() {
    return assembler.rows.get();
  }

  /**
   * Detaches every uprobe of this tracepoint, waits until the rows of calls captured so far are
   * delivered, and frees its kernel state. Counters stay readable. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) return;
      for (UprobeLink l : links) l.close();
    }
    tracer.flush();
    synchronized (this) {
      links.clear();
      try {
        finalCounters = counters();
      } catch (TracerException e) {
        finalCounters = new ProbeCounters(0, 0, 0, bounds.clone(), new long[bounds.length + 1], 0, 0, 0, 0,
            assembler.decodeFailed.get(), 0, 0, 0);
      }
      closed = true;
      try {
        tracer.probesMap().update(BpfMap.intKey(probe), Tracer.zeroed(Layout.CFG_SIZE));
      } catch (BpfException ignored) {
        // the object is being unloaded
      }
    }
    tracer.sweeper().forget(probe);
    tracer.route(probe, null);
    tracer.release(this);
  }
}
