package dev.dynlog.trace;

import com.sun.jna.Memory;
import dev.dynlog.bpf.BpfException;
import dev.dynlog.bpf.BpfMap;
import dev.dynlog.bpf.BpfObject;
import dev.dynlog.bpf.Layout;
import dev.dynlog.bpf.RingBuffer;
import dev.dynlog.plan.ProbePlan;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * dynlog's tracer: the precompiled BPF object loaded once, one ring buffer reader thread, and the
 * tracepoints attached to it.
 *
 * <pre>{@code
 * try (Tracer tracer = Tracer.open()) {
 *   Tracepoint tp = tracer.attach(plan, Target.process(pid),
 *       TraceOptions.defaults().withLatency(true).withSymbolizer(binary::symbolize), row -> print(row));
 *   ...
 *   ProbeCounters c = tp.counters();
 *   tp.close(); // detaches every uprobe of this tracepoint
 * }
 * }</pre>
 *
 * <p>Each tracepoint gets a probe id; its recipes (the plan's reads at entry and at return) and its
 * configuration are written into the object's maps, then the object's programs are attached as
 * uprobes with the probe id as attach cookie: at the entry, and for Go on every RET instruction
 * (never uretprobes: Go moves stacks); for C++ on every RET too (a uretprobe breaks exception
 * unwinding), for C as a uretprobe. Return probes are attached only
 * when latency is requested or a value is read at return. Entry and return are paired in the
 * kernel per goroutine frame (Go) or thread frame (C/C++) and travel as two events joined here by
 * a per-call sequence number.
 *
 * <p>Rows are delivered to each tracepoint's sink on the tracer's single reader thread, in the
 * order the calls returned (entry order for unpaired probes); a sink must not block for long.
 *
 * <p>Kernel-side accounting per probe is exact for every call, including the ones whose row was
 * not emitted because of rate limiting or sampling: calls, returns, non-nil Go errors (when a
 * result of type {@code error} is captured), latency sum and histogram.
 */
public final class Tracer implements AutoCloseable {
  private static final String ENTRY_PROGRAM = "dynlog_entry";
  private static final String RETURN_PROGRAM = "dynlog_return";
  /** The kernel wakes the reader only past a backlog (batched notification), so it also polls. */
  private static final int POLL_MS = 10;

  private final BpfObject obj;
  private final BpfMap probes, recipes, stats, rates, pairs;
  private final RingBuffer ring;
  private final long wallOffsetNs = WallClock.monotonicToEpochOffsetNs();
  private final AtomicReferenceArray<CallAssembler> assemblers = new AtomicReferenceArray<>(Layout.MAX_PROBES);
  private final boolean[] used = new boolean[Layout.MAX_PROBES];
  private final PairingSweeper sweeper;
  private final Thread reader;
  private final List<Tracepoint> open = new ArrayList<>();
  private int nextProbe;
  private volatile boolean running = true;

  private Tracer(BpfObject obj, boolean startReader) throws BpfException {
    this.obj = obj;
    probes = obj.map("probes");
    recipes = obj.map("recipes");
    stats = obj.map("stats");
    rates = obj.map("rates");
    pairs = obj.map("pairs");
    ring = new RingBuffer(obj.map("events"));
    sweeper = new PairingSweeper(pairs);
    reader = new Thread(this::readLoop, "dynlog-ring-reader");
    reader.setDaemon(true);
    if (startReader) reader.start();
  }

  /**
   * Loads the BPF object and starts the reader.
   *
   * @throws TracerException with one line naming the missing prerequisite: root (or CAP_BPF +
   *     CAP_PERFMON), libbpf, kernel BPF support
   */
  public static Tracer open() throws TracerException {
    return open(true);
  }

  /** For benchmarks: a tracer whose reader starts only with {@link #startReader()}. */
  static Tracer open(boolean startReader) throws TracerException {
    if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
      throw new TracerException("dynlog traces with Linux eBPF uprobes; this is " + System.getProperty("os.name"));
    }
    BpfObject obj = null;
    try {
      obj = BpfObject.loadEmbedded();
      obj.enableRunTimeStats();
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
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) return "0".equals(line.substring(4).trim().split("\\s+")[1]);
      }
    } catch (java.io.IOException | RuntimeException e) {
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
  public Tracepoint attach(ProbePlan plan, Target target, TraceOptions opts, Consumer<Row> sink) throws TracerException {
    int probe;
    synchronized (this) {
      if (!running) throw new TracerException("the tracer is closed");
      probe = allocateProbe();
    }
    String name = opts.name() != null ? opts.name() : plan.function();
    CallAssembler assembler = new CallAssembler(name, plan, opts, wallOffsetNs, sink);
    Tracepoint tp = new Tracepoint(this, probe, name, plan, target, opts, assembler);
    try {
      tp.start();
    } catch (TracerException | RuntimeException e) {
      tp.close();
      throw e;
    }
    synchronized (this) {
      open.add(tp);
    }
    return tp;
  }

  /** Waits until every event the kernel has written so far has been turned into rows (or 5 s). */
  public void flush() {
    if (!reader.isAlive()) return;
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (ring.pending() > 0 && System.nanoTime() < deadline && running) {
      Thread.onSpinWait();
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private int allocateProbe() throws TracerException {
    for (int i = 0; i < Layout.MAX_PROBES; i++) {
      int p = (nextProbe + i) % Layout.MAX_PROBES;
      if (!used[p]) {
        used[p] = true;
        nextProbe = p + 1;
        return p;
      }
    }
    throw new TracerException("too many tracepoints: at most " + Layout.MAX_PROBES + " at a time");
  }

  synchronized void release(Tracepoint tp) {
    used[tp.probe()] = false;
    open.remove(tp);
  }

  private void readLoop() {
    RingBuffer.RecordHandler dispatch = this::dispatch;
    long lastExpire = System.nanoTime();
    while (running) {
      ring.poll(dispatch, POLL_MS);
      long now = System.nanoTime();
      if (now - lastExpire > 1_000_000_000L) {
        lastExpire = now;
        for (int i = 0; i < Layout.MAX_PROBES; i++) {
          CallAssembler a = assemblers.get(i);
          if (a != null) a.expire(now);
        }
      }
    }
  }

  private void dispatch(ByteBuffer buf, int off, int len) {
    int probe = buf.getInt(off + Layout.EV_PROBE);
    if (probe < 0 || probe >= Layout.MAX_PROBES) return;
    CallAssembler a = assemblers.get(probe);
    if (a == null) return;
    try {
      a.onEvent(buf, off, len);
    } catch (RuntimeException e) {
      a.decodeFailed.incrementAndGet(); // a malformed event must not stop the reader
    }
  }

  // ---- package-private plumbing for Tracepoint and benchmarks ----

  void startReader() {
    reader.start();
  }

  /**
   * For benchmarks of a tracer opened without its reader: consumes what the ring holds (waiting
   * up to {@code timeoutMs} when it is empty) on the calling thread, exactly as the reader does.
   */
  int poll(int timeoutMs) {
    if (reader.isAlive()) throw new IllegalStateException("the reader thread is consuming the ring");
    return ring.poll(this::dispatch, timeoutMs);
  }

  RingBuffer ring() {
    return ring;
  }

  BpfObject object() {
    return obj;
  }

  BpfMap probesMap() {
    return probes;
  }

  BpfMap recipesMap() {
    return recipes;
  }

  BpfMap statsMap() {
    return stats;
  }

  BpfMap ratesMap() {
    return rates;
  }

  PairingSweeper sweeper() {
    return sweeper;
  }

  void route(int probe, CallAssembler a) {
    assemblers.set(probe, a);
  }

  static String entryProgram() {
    return ENTRY_PROGRAM;
  }

  static String returnProgram() {
    return RETURN_PROGRAM;
  }

  /** Average run time per invocation of dynlog's programs (kernel bpf_stats), in ns. */
  double averageRunTimeNs() {
    try {
      long[] e = obj.programRunStats(ENTRY_PROGRAM);
      long[] r = obj.programRunStats(RETURN_PROGRAM);
      long cnt = e[1] + r[1];
      return cnt == 0 ? 0 : (double) (e[0] + r[0]) / cnt;
    } catch (BpfException ex) {
      return 0;
    }
  }

  /**
   * Detaches every tracepoint, stops the reader and unloads the BPF object. If a sink keeps the
   * reader blocked for more than 5 s, the object (its probes already detached) is unloaded only
   * when the process exits.
   */
  @Override
  public void close() {
    List<Tracepoint> toClose;
    synchronized (this) {
      if (!running && open.isEmpty()) return;
      toClose = new ArrayList<>(open);
    }
    for (Tracepoint tp : toClose) tp.close();
    running = false;
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

  static Memory zeroed(long size) {
    Memory m = new Memory(size);
    m.clear();
    return m;
  }
}
