package dev.dynlog.trace;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.dynlog.bpf.BpfException;
import dev.dynlog.bpf.UprobeLink;
import dev.dynlog.plan.SiteKind;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Measures what a uprobe hit costs on this node, per {@link SiteKind}, in about 0.2 s.
 *
 * <p>Why this way: the cost of a hit depends on the kernel, the CPU, the hypervisor and above all
 * on the probed instruction (emulated, or copied out and single-stepped with a second trap), so no
 * constant is right everywhere, and a per-probe measurement is impossible without disturbing the
 * traced program. Instead the agent probes itself: it writes a page of tiny functions, one per
 * instruction kind (e.g. {@code push %rbp; pop %rbp; ret}, {@code mov %rdi,-8(%rsp); ret}, {@code
 * endbr64; ret}) to a file, maps it executable in its own process, attaches the object's empty BPF
 * program at each function's first instruction (uprobes need a file-backed mapping, which is why it
 * is a file), and calls each function through JNA. The cost of a kind is the calling thread's CPU
 * time per call with the probe minus without (an unprobed {@code ret} called in the same rounds),
 * the smallest of several rounds so that preemption by other work on the node does not inflate it.
 * Thread CPU time includes the kernel's trap handling, which is what the traced program pays. The
 * empty program's own run (tens of ns) is included; the estimate later adds each probe's BPF run
 * time as the kernel measured it, so that part is counted twice, a small overestimate on the safe
 * side. The uretprobe figure is the extra cost of adding a uretprobe to a probed {@code push}
 * function.
 *
 * <p>Each probe site of a traced function is then classified by its first instruction ({@link
 * SiteKind#of}) and charged the cost measured for its kind.
 */
public final class TrapCalibration {

  /** Calls per round and rounds per kind; about 300 × 7 × 25 µs ≈ 50 ms for a single-step kind. */
  static final int CALLS = 300;

  static final int ROUNDS = 7;

  private static final String EMPTY_PROGRAM = "dynlog_empty";
  private static final int PAGE = 4096;
  private static final int STRIDE = 16;

  /** The functions of the calibration page, in slot order; slot 0 is the unprobed baseline. */
  private static final byte[][] FUNCTIONS = {
    bytes(0xC3), // baseline: ret
    bytes(0x55, 0x5D, 0xC3), // PUSH: push %rbp; pop %rbp; ret
    bytes(0x90, 0xC3), // NOP
    bytes(0x0F, 0x1F, 0x44, 0x00, 0x00, 0xC3), // NOP5: nopl 0x0(%rax,%rax,1)
    bytes(0xF3, 0x0F, 0x1E, 0xFA, 0xC3), // ENDBR: endbr64
    bytes(0xEB, 0x00, 0xC3), // BRANCH: jmp .+2
    bytes(0xC3), // RET
    bytes(0x48, 0x89, 0x7C, 0x24, 0xF8, 0xC3), // OTHER: mov %rdi,-0x8(%rsp) (red zone)
    bytes(0x55, 0x5D, 0xC3), // PUSH with a uretprobe besides its entry uprobe
  };

  /** The kind probed in each slot (null for the baseline). */
  private static final SiteKind[] KINDS = {
    null,
    SiteKind.PUSH,
    SiteKind.NOP,
    SiteKind.NOP5,
    SiteKind.ENDBR,
    SiteKind.BRANCH,
    SiteKind.RET,
    SiteKind.OTHER
  };

  /** The slot probed at entry and by a uretprobe: its cost minus PUSH's is the uretprobe's. */
  private static final int URETPROBE_SLOT = 8;

  private TrapCalibration() {}

  private interface Libc extends Library {
    Libc C = Native.load("c", Libc.class);

    int open(String path, int flags);

    int close(int fd);

    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    int munmap(Pointer addr, long length);
  }

  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
    return out;
  }

  /** The calibration page: each function at slot × 16, the rest int3. */
  static byte[] page() {
    byte[] page = new byte[PAGE];
    Arrays.fill(page, (byte) 0xCC);
    for (int i = 0; i < FUNCTIONS.length; i++) {
      System.arraycopy(FUNCTIONS[i], 0, page, i * STRIDE, FUNCTIONS[i].length);
    }
    return page;
  }

  /** The kind each probed slot stands for, with the slot's first bytes (for tests). */
  static Map<SiteKind, byte[]> functions() {
    Map<SiteKind, byte[]> m = new EnumMap<>(SiteKind.class);
    for (int i = 1; i < KINDS.length; i++) m.put(KINDS[i], FUNCTIONS[i].clone());
    return m;
  }

  /**
   * Measures every kind on this node through the tracer's loaded object.
   *
   * @param dir a directory on a filesystem that allows executable mappings (the page is written
   *     there and deleted afterwards)
   * @throws TracerException when the page cannot be written or mapped, or the kernel refuses the
   *     uprobes (the message says which)
   */
  public static TrapCosts measure(Tracer tracer, Path dir) throws TracerException {
    Path file;
    try {
      file = Files.createTempFile(dir, "dynlog-trap-calibration-", ".bin");
      Files.write(file, page());
    } catch (IOException e) {
      throw new TracerException(
          "cannot write the uprobe calibration page in " + dir + ": " + e.getMessage(), e);
    }
    return measurePage(tracer, file);
  }

  private static TrapCosts measurePage(Tracer tracer, Path file) throws TracerException {
    int fd = Libc.C.open(file.toString(), 0);
    if (fd < 0)
      throw new TracerException("cannot open " + file + ": errno " + Native.getLastError());
    Pointer base =
        Libc.C.mmap(null, PAGE, 5 /* PROT_READ | PROT_EXEC */, 2 /* MAP_PRIVATE */, fd, 0);
    Libc.C.close(fd);
    if (base == null || Pointer.nativeValue(base) == -1L) {
      delete(file);
      throw new TracerException(
          "cannot map "
              + file
              + " executable (errno "
              + Native.getLastError()
              + "; a noexec filesystem?): the uprobe cost cannot be calibrated");
    }
    List<UprobeLink> links = new ArrayList<>();
    try {
      Function[] fns = new Function[FUNCTIONS.length];
      for (int i = 0; i < fns.length; i++) fns[i] = Function.getFunction(base.share(i * STRIDE));
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      for (Function f : fns) calls(f, threads, CALLS); // warm up JNA and the JIT
      int pid = (int) ProcessHandle.current().pid();
      String path = file.toString();
      for (int slot = 1; slot < fns.length; slot++) {
        links.add(attach(tracer, pid, path, slot, false));
      }
      links.add(attach(tracer, pid, path, URETPROBE_SLOT, true));
      Map<SiteKind, Double> costs = new EnumMap<>(SiteKind.class);
      for (int slot = 1; slot < KINDS.length; slot++) {
        costs.put(KINDS[slot], delta(fns[slot], fns[0], threads));
      }
      double entryAndReturn = delta(fns[URETPROBE_SLOT], fns[0], threads);
      return new TrapCosts(costs, entryAndReturn - costs.get(SiteKind.PUSH), true);
    } finally {
      Thread cleanup =
          new Thread(
              () -> {
                for (UprobeLink l : links) l.close();
                Libc.C.munmap(base, PAGE);
                delete(file);
              },
              "dynlog-calibration-cleanup");
      cleanup.setDaemon(true);
      cleanup.start();
      tracer.finishBeforeClose(cleanup);
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a temporary file left behind is harmless
    }
  }

  private static UprobeLink attach(Tracer tracer, int pid, String path, int slot, boolean ret)
      throws TracerException {
    try {
      return tracer.object().attachUprobe(EMPTY_PROGRAM, pid, path, (long) slot * STRIDE, 0, ret);
    } catch (BpfException e) {
      throw new TracerException("uprobe calibration: " + e.getMessage(), e);
    }
  }

  /** Smallest per-call CPU time with the probe minus smallest without, over {@link #ROUNDS}. */
  private static double delta(Function probed, Function baseline, ThreadMXBean threads) {
    double best = Double.MAX_VALUE, bestBase = Double.MAX_VALUE;
    for (int r = 0; r < ROUNDS; r++) {
      bestBase = Math.min(bestBase, calls(baseline, threads, CALLS));
      best = Math.min(best, calls(probed, threads, CALLS));
    }
    return best - bestBase;
  }

  /** CPU ns of the calling thread per call of {@code f}, over {@code n} calls. */
  private static double calls(Function f, ThreadMXBean threads, int n) {
    Object[] args = {0L};
    long start = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) f.invokeVoid(args);
    return (threads.getCurrentThreadCpuTime() - start) / (double) n;
  }
}
