package dev.dynlog.trace;

import dev.dynlog.bpf.BpfException;
import dev.dynlog.bpf.BpfObject;
import dev.dynlog.bpf.KernelProbe;
import dev.dynlog.bpf.Layout;
import dev.dynlog.bpf.ProbeConfig;
import dev.dynlog.bpf.ProbeTable;
import dev.dynlog.bpf.ProcessGroups;
import dev.dynlog.bpf.RingBuffer;
import dev.dynlog.plan.Decoder;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.plan.SiteKind;
import dev.dynlog.plan.ValuePlan;
import dev.dynlog.recipe.Read;
import dev.dynlog.recipe.RecipeLimits;
import dev.dynlog.symbols.Language;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * dynlog's tracer: the precompiled BPF object loaded once, one ring buffer reader thread, and the
 * probes attached to it.
 *
 * <pre>{@code
 * try (Tracer tracer = Tracer.open()) {
 *   Probe probe = tracer.attach(plan, Target.process(pid),
 *       TraceOptions.defaults().withLatency(true).withSymbolizer(binary::symbolize), row -> print(row));
 *   ...
 *   ProbeCounters c = probe.counters();
 *   probe.close(); // detaches every uprobe of this probe
 * }
 * }</pre>
 *
 * <p>Each probe gets a probe id; its recipes (the plan's reads at entry and at return) and its
 * configuration are written into the object's maps, then the object's programs are attached as
 * uprobes with the probe id as attach cookie: at the entry, and for Go on every RET instruction
 * (never uretprobes: Go moves stacks); for C++ on every RET too (a uretprobe breaks exception
 * unwinding), for C as a uretprobe. Return probes are attached only when latency is requested or a
 * value is read at return. Entry and return are paired in the kernel per goroutine frame (Go) or
 * thread frame (C/C++) and travel as two events joined here by a per-call sequence number.
 *
 * <p>Rows are delivered to each probe's sink on the tracer's single reader thread, in the order the
 * calls returned (entry order for unpaired probes); a sink must not block for long.
 *
 * <p>Kernel-side accounting per probe is exact for every call, including the ones whose row was not
 * emitted because of rate limiting or sampling: calls, returns, non-nil Go errors, latency sum and
 * histogram, and the time the probe's programs ran.
 */
public final class Tracer implements AutoCloseable {
  /** The kernel wakes the reader only past a backlog (batched notification), so it also polls. */
  private static final int POLL_MS = 10;

  private final BpfObject obj;
  private final ProbeTable table;
  private final ProcessGroups groups;
  private final RingBuffer ring;
  private final long wallOffsetNs = WallClock.monotonicToEpochOffsetNs();
  private final AtomicReferenceArray<CallAssembler> assemblers =
      new AtomicReferenceArray<>(RecipeLimits.MAX_PROBES);
  private final PairingSweeper sweeper;
  private final Thread reader;
  private final List<Probe> open = new ArrayList<>();
  private volatile boolean running = true;
  private final List<Thread> background = new CopyOnWriteArrayList<>();
  private volatile TrapCosts trapCosts = TrapCosts.DEFAULTS;

  private Tracer(BpfObject obj, boolean startReader) throws BpfException {
    this.obj = obj;
    table = new ProbeTable(obj);
    groups = new ProcessGroups(obj);
    ring = new RingBuffer(obj.map("events"));
    sweeper = new PairingSweeper(obj.map("pairs"));
    reader = new Thread(this::readLoop, "dynlog-ring-reader");
    reader.setDaemon(true);
    if (startReader) reader.start();
  }

  /**
   * Loads the BPF object and starts the reader.
   *
   * @throws TracerException with one line naming the missing prerequisite: root (or CAP_BPF +
   *     CAP_PERFMON), libbpf, kernel BPF support; libbpf's own log is in {@link
   *     TracerException#details()}
   */
  public static Tracer open() throws TracerException {
    return open(true);
  }

  /** For benchmarks: a tracer whose ring the caller consumes with {@link #poll(int)}. */
  static Tracer open(boolean startReader) throws TracerException {
    if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
      throw new TracerException(
          "dynlog traces with Linux eBPF uprobes; this is " + System.getProperty("os.name"));
    }
    BpfObject obj = null;
    try {
      obj = BpfObject.loadEmbedded();
      return new Tracer(obj, startReader);
    } catch (BpfException e) {
      if (obj != null) obj.close();
      String why = e.getMessage();
      if (!isRoot()) why += " — dynlog must run as root (or with CAP_BPF and CAP_PERFMON)";
      throw new TracerException(why, e);
    }
  }

  private static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) return "0".equals(line.substring(4).trim().split("\\s+")[1]);
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }

  /**
   * Starts tracing a function.
   *
   * @param plan the probe plan (from the resolver)
   * @param target one process, or every process of {@code plan.binaryPath()}
   * @param opts latency, rate limit, sampling, pairing timeout, histogram bounds, symbolizer
   * @param sink receives each captured call, on the tracer's reader thread
   * @throws TracerException when the plan exceeds the BPF program's limits, the process does not
   *     exist, or the kernel refuses an attach (the message says which)
   */
  public Probe attach(ProbePlan plan, Target target, TraceOptions opts, Consumer<Row> sink)
      throws TracerException {
    boolean go = plan.language() == Language.GO;
    // Go: never uretprobes (Go moves stacks). C++: not either, because a C++ exception unwinding
    // through a frame whose return address points at the uretprobe trampoline terminates the
    // program;
    // calls that leave through a tail call or an exception are then unpaired and counted as
    // evicted.
    boolean retSites = go || (plan.language() == Language.CPP && !plan.retFileOffsets().isEmpty());
    Recipes recipes = Recipes.of(plan);
    boolean paired = opts.latency() || !recipes.returnReads().isEmpty();
    check(plan, target, go, paired);
    ProbePlan.GoRuntime rt = go ? plan.goRuntime() : null;
    long[] bounds = opts.latencyBucketBoundsNs();
    ProbeConfig config =
        new ProbeConfig(
            go,
            paired,
            retSites,
            target.filtered(),
            rt == null ? 0 : rt.goidOffset(),
            rt == null ? 0 : rt.stackHiOffset(),
            rt == null ? -1 : rt.schedPcOffset(),
            opts.maxEventsPerSecond(),
            opts.sampleRatio(),
            bounds);
    String name = opts.name() != null ? opts.name() : plan.function();
    KernelProbe kernel;
    synchronized (this) {
      if (!running) throw new TracerException("the tracer is closed");
      try {
        kernel = table.allocate();
      } catch (BpfException e) {
        throw new TracerException(e.getMessage(), e);
      }
    }
    int id = kernel.id();
    CallAssembler assembler = new CallAssembler(name, plan, opts, wallOffsetNs, sink);
    SiteKind entryKind = entryKind(plan);
    double perHitNs =
        trapCosts.perHit(entryKind, paired && retSites ? SiteKind.RET : null, paired && !retSites);
    Probe probe =
        new Probe(
            this,
            kernel,
            name,
            plan,
            target,
            bounds,
            assembler,
            () -> sweeper.evicted(id),
            entryKind,
            perHitNs);
    try {
      kernel.load(
          plan.function(),
          recipes.entryReads(),
          recipes.returnReads(),
          recipes.errorRead(),
          config);
      if (target.filtered()) probe.allow(target.groups());
      sweeper.watch(id, opts.pairingTimeout().toNanos());
      assemblers.set(id, assembler);
      String path = plan.binaryPath();
      kernel.attachEntry(target.pid(), path, plan.entryFileOffset());
      if (paired && retSites) {
        long[] rets = plan.retFileOffsets().stream().mapToLong(Long::longValue).toArray();
        kernel.attachReturns(target.pid(), path, rets);
      } else if (paired) {
        kernel.attachReturn(target.pid(), path, plan.entryFileOffset(), true);
      }
    } catch (BpfException | TracerException | RuntimeException e) {
      probe.close();
      if (e instanceof BpfException b)
        throw new TracerException(plan.function() + ": " + b.getMessage(), b);
      if (e instanceof TracerException t) throw t;
      throw (RuntimeException) e;
    }
    synchronized (this) {
      open.add(probe);
    }
    return probe;
  }

  private static void check(ProbePlan plan, Target target, boolean go, boolean paired)
      throws TracerException {
    if (target.pid() > 0 && !Files.isDirectory(Path.of("/proc/" + target.pid()))) {
      throw new TracerException("no process with pid " + target.pid());
    }
    if (!Files.isRegularFile(Path.of(plan.binaryPath()))) {
      throw new TracerException("binary " + plan.binaryPath() + " does not exist");
    }
    if (go && paired && plan.goRuntime() == null) {
      throw new TracerException(
          plan.function()
              + ": a Go return probe needs runtime.g offsets (goid, stack.hi), the plan has none");
    }
    if (go && paired && plan.retFileOffsets().isEmpty()) {
      throw new TracerException(
          plan.function()
              + " in "
              + plan.binaryPath()
              + ": no RET instruction found, so results and latency cannot be captured (Go needs a uprobe on each RET)");
    }
  }

  /**
   * A plan's reads per site, and which return read is a Go error's type word. Non-nil Go errors are
   * counted in the kernel for every call (dynlog_errors_total), captured or not: the error's type
   * word is read at return even when no capture asks for it.
   */
  private record Recipes(List<Read> entryReads, List<Read> returnReads, int errorRead) {
    static Recipes of(ProbePlan plan) {
      List<Read> entry = new ArrayList<>();
      List<Read> ret = new ArrayList<>();
      int errorRead = -1;
      for (ValuePlan v : plan.values()) {
        if (!v.atReturn()) {
          entry.addAll(v.reads());
          continue;
        }
        if (v.decoder() instanceof Decoder.GoInterface g && "error".equals(v.typeName())) {
          errorRead = ret.size() + g.read();
        } else if (v.decoder() instanceof Decoder.GoError g) {
          errorRead = ret.size() + g.read();
        }
        ret.addAll(v.reads());
      }
      if (errorRead < 0 && plan.errorResult() != null && ret.size() < RecipeLimits.MAX_READS) {
        errorRead = ret.size();
        ret.add(plan.errorResult());
      }
      return new Recipes(entry, ret, errorRead);
    }
  }

  /**
   * A new, empty process group for filtered probes ({@link Target#groups}). The first one attaches
   * the object's fork and exit programs, which keep every group's membership up to date.
   *
   * @throws TracerException when the kernel refuses the programs, or too many groups are in use
   */
  public ProcessGroup newGroup() throws TracerException {
    try {
      return new ProcessGroup(groups, groups.allocate());
    } catch (BpfException e) {
      throw new TracerException(e.getMessage(), e);
    }
  }

  /** Waits until every event the kernel has written so far has been turned into rows (or 5 s). */
  public void flush() {
    if (!reader.isAlive()) return;
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (ring.pending() > 0 && System.nanoTime() < deadline && running) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Called by {@link Probe#close()} once its uprobes are detached: frees its probe id. */
  void release(Probe probe) {
    int id = probe.kernel().id();
    sweeper.forget(id);
    assemblers.set(id, null);
    probe.kernel().close();
    synchronized (this) {
      open.remove(probe);
    }
  }

  private void readLoop() {
    RingBuffer.RecordHandler dispatch = this::dispatch;
    long lastExpire = System.nanoTime();
    while (running) {
      ring.poll(dispatch, POLL_MS);
      long now = System.nanoTime();
      if (now - lastExpire > 1_000_000_000L) {
        lastExpire = now;
        for (int i = 0; i < RecipeLimits.MAX_PROBES; i++) {
          CallAssembler a = assemblers.get(i);
          if (a != null) a.expire(now);
        }
      }
    }
  }

  /**
   * Sees every event's bytes as the kernel handed them over, before they are decoded: lets tests
   * check what left the target process (e.g. that a redacted value's bytes never did). Null: none.
   */
  private volatile RingBuffer.RecordHandler rawTap;

  /** Sets (or with null removes) the handler that sees each raw event first; for tests. */
  void rawTap(RingBuffer.RecordHandler tap) {
    rawTap = tap;
  }

  private void dispatch(ByteBuffer buf, int off, int len) {
    RingBuffer.RecordHandler tap = rawTap;
    if (tap != null) tap.onRecord(buf, off, len);
    int probe = buf.getInt(off + Layout.EV_PROBE);
    if (probe < 0 || probe >= RecipeLimits.MAX_PROBES) return;
    CallAssembler a = assemblers.get(probe);
    if (a == null) return;
    try {
      a.onEvent(buf, off, len);
    } catch (RuntimeException e) {
      a.decodeFailed.incrementAndGet(); // a malformed event must not stop the reader
    }
  }

  /**
   * Measures the per-hit uprobe costs of this node ({@link TrapCalibration}) and uses them for the
   * probes attached from now on ({@link Probe#trapNsPerHit()}).
   *
   * @param dir where the calibration page may be written and mapped executable
   * @throws TracerException when calibration cannot run; the previous costs stay in use
   */
  public TrapCosts calibrate(Path dir) throws TracerException {
    TrapCosts measured = TrapCalibration.measure(this, dir);
    trapCosts = measured;
    return measured;
  }

  /** The per-hit costs in use: measured by {@link #calibrate}, or {@link TrapCosts#DEFAULTS}. */
  public TrapCosts trapCosts() {
    return trapCosts;
  }

  /** The kind of the instruction at a plan's entry, read from the binary; OTHER if unreadable. */
  private static SiteKind entryKind(ProbePlan plan) {
    try (FileChannel ch = FileChannel.open(Path.of(plan.binaryPath()))) {
      ByteBuffer buf = ByteBuffer.allocate(SiteKind.MAX_BYTES);
      while (buf.hasRemaining()) {
        int n = ch.read(buf, plan.entryFileOffset() + buf.position());
        if (n <= 0) break;
      }
      return SiteKind.of(Arrays.copyOf(buf.array(), buf.position()));
    } catch (IOException | RuntimeException e) {
      return SiteKind.OTHER;
    }
  }

  /** Work that must end before the object is unloaded (detaching the calibration's uprobes). */
  void finishBeforeClose(Thread t) {
    background.add(t);
  }

  // ---- hooks for tests and benchmarks (same package) ----

  /** The loaded object (tests: program ids, the empty program, run-time statistics). */
  BpfObject object() {
    return obj;
  }

  /** The ring (benchmarks: raw consumption of a tracer opened without its reader). */
  RingBuffer ring() {
    return ring;
  }

  /**
   * For benchmarks of a tracer opened without its reader: consumes what the ring holds (waiting up
   * to {@code timeoutMs} when it is empty) on the calling thread, exactly as the reader does.
   */
  int poll(int timeoutMs) {
    if (reader.isAlive())
      throw new IllegalStateException("the reader thread is consuming the ring");
    return ring.poll(this::dispatch, timeoutMs);
  }

  /**
   * Detaches every probe, stops the reader and unloads the BPF object. If a sink keeps the reader
   * blocked for more than 5 s, the object (its probes already detached) is unloaded only when the
   * process exits.
   */
  @Override
  public void close() {
    List<Probe> toClose;
    synchronized (this) {
      if (!running && open.isEmpty()) return;
      toClose = new ArrayList<>(open);
    }
    Probe.detachAll(toClose);
    for (Probe p : toClose) p.close();
    for (Thread t : background) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    running = false;
    groups.close();
    sweeper.close();
    try {
      reader.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (reader.isAlive()) return; // a sink still blocks the reader: unmapping now would crash it
    ring.close();
    obj.close();
  }
}
