package dev.dynlog.trace;

import dev.dynlog.bpf.BpfException;
import dev.dynlog.bpf.KernelCounters;
import dev.dynlog.bpf.KernelProbe;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.plan.SiteKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A handle on one function being traced in one target: its counters and its rows so far. Obtained
 * from {@link Tracer#attach}; {@link #close()} detaches every uprobe, delivers the rows of calls
 * already captured, and frees the probe id. The kernel state behind it is a {@link KernelProbe},
 * written by the tracer.
 */
public final class Probe implements AutoCloseable {
  private final Tracer tracer;
  private final KernelProbe kernel;
  private final String name;
  private final ProbePlan plan;
  private final Target target;
  private final long[] bounds;
  private final CallAssembler assembler;
  private final LongSupplier evicted;
  private final SiteKind entryKind;
  private final double trapNsPerHit;
  private boolean closed;
  private ProbeCounters finalCounters;

  Probe(
      Tracer tracer,
      KernelProbe kernel,
      String name,
      ProbePlan plan,
      Target target,
      long[] bounds,
      CallAssembler assembler,
      LongSupplier evicted,
      SiteKind entryKind,
      double trapNsPerHit) {
    this.tracer = tracer;
    this.kernel = kernel;
    this.name = name;
    this.plan = plan;
    this.target = target;
    this.bounds = bounds.clone();
    this.assembler = assembler;
    this.evicted = evicted;
    this.entryKind = entryKind;
    this.trapNsPerHit = trapNsPerHit;
  }

  /** The kind of the instruction at the entry, which decides the cost of its traps. */
  public SiteKind entryKind() {
    return entryKind;
  }

  /**
   * Estimated CPU ns that one hit of this probe's uprobes costs the traced thread outside the BPF
   * program: the node's measured cost for the entry instruction's kind, averaged with the return
   * site's when returns are probed too ({@link TrapCosts#perHit}). Multiply by the difference of
   * {@link ProbeCounters#probeRunCount()} (every hit, filtered ones included) and add that of
   * {@link ProbeCounters#probeRunTimeNs()} for the CPU the probe cost.
   */
  public double trapNsPerHit() {
    return trapNsPerHit;
  }

  /** The name rows and metrics carry ({@code Row.tracepoint}). */
  public String name() {
    return name;
  }

  public ProbePlan plan() {
    return plan;
  }

  public Target target() {
    return target;
  }

  KernelProbe kernel() {
    return kernel;
  }

  CallAssembler assembler() {
    return assembler;
  }

  /**
   * The process groups a probe of {@link Target#groups} runs in from now on (the previous set is
   * replaced at once; nothing is detached or re-attached).
   */
  public void allow(List<ProcessGroup> groups) throws TracerException {
    if (!target.filtered())
      throw new IllegalStateException(name + " traces " + target + ", not groups");
    BitSet bits = new BitSet();
    for (ProcessGroup g : groups) bits.set(g.id());
    try {
      kernel.allow(bits);
    } catch (BpfException e) {
      throw new TracerException(name + ": " + e.getMessage(), e);
    }
  }

  /** The kernel's counters of this probe as they are now (filtered runs included). */
  public KernelCounters kernelCounters() throws TracerException {
    try {
      return kernel.counters();
    } catch (BpfException e) {
      throw new TracerException(name + ": " + e.getMessage(), e);
    }
  }

  /** Uprobes currently attached (entry + one per RET for Go and C++, entry + uretprobe for C). */
  public synchronized int attachedProbes() {
    return closed ? 0 : kernel.attached();
  }

  /** False once a traced single process has exited (tracing it further yields nothing). */
  public boolean targetAlive() {
    return target.pid() == -1 || Files.isDirectory(Path.of("/proc/" + target.pid()));
  }

  /**
   * Cumulative counters: the kernel's (summed over CPUs, exact for every call, including the time
   * this probe's BPF programs ran), pairing evictions and user-space decode failures.
   */
  public ProbeCounters counters() throws TracerException {
    synchronized (this) {
      if (closed) return finalCounters;
    }
    try {
      return counters(kernel.counters());
    } catch (BpfException e) {
      throw new TracerException(name + ": " + e.getMessage(), e);
    }
  }

  private ProbeCounters counters(KernelCounters k) {
    long[] all = k.latencyBuckets();
    long[] hist = new long[bounds.length + 1];
    System.arraycopy(all, 0, hist, 0, bounds.length);
    hist[bounds.length] = all[all.length - 1];
    return new ProbeCounters(
        k.calls(),
        k.returns(),
        k.errors(),
        bounds.clone(),
        hist,
        k.latencySumNs(),
        k.ringFull(),
        k.rateLimited(),
        k.stale() + k.pairFull() + evicted.getAsLong(),
        assembler.decodeFailed.get(),
        k.runNs(),
        k.hits(),
        attachedProbes());
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
   * Detaches every uprobe of this probe without collecting its last rows yet (to detach many probes
   * at once before one {@link #close()} each). Idempotent.
   */
  public synchronized void detach() {
    if (!closed) kernel.detach();
  }

  /**
   * Detaches every uprobe of all these probes together, concurrently (detaching one uprobe waits
   * for the kernel; many at once overlap the waits); {@link #close()} each afterwards.
   */
  public static void detachAll(Collection<Probe> probes) {
    List<KernelProbe> kernels = new ArrayList<>();
    for (Probe p : probes) {
      synchronized (p) {
        if (!p.closed) kernels.add(p.kernel);
      }
    }
    KernelProbe.detachAll(kernels);
  }

  /**
   * Detaches every uprobe of this probe, waits until the rows of calls captured so far are
   * delivered, and frees its kernel state. Counters stay readable. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) return;
      kernel.detach();
    }
    tracer.flush();
    synchronized (this) {
      try {
        finalCounters = counters(kernel.counters());
      } catch (BpfException e) {
        finalCounters =
            new ProbeCounters(
                0,
                0,
                0,
                bounds.clone(),
                new long[bounds.length + 1],
                0,
                0,
                0,
                0,
                assembler.decodeFailed.get(),
                0,
                0,
                0);
      }
      closed = true;
    }
    tracer.release(this);
  }
}
