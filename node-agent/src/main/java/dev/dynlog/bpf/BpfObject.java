package dev.dynlog.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * dynlog's precompiled BPF object ({@code bpf/dynlog.bpf.o}, built from {@code src/main/bpf} and
 * embedded in the jar), loaded into the kernel through libbpf. It is loaded once; probes are added
 * by writing maps and attaching its programs with a cookie, never by reloading.
 */
public final class BpfObject implements AutoCloseable {
  /** Resource path of the embedded object. */
  public static final String RESOURCE = "/bpf/dynlog.bpf.o";

  private static final int BPF_STATS_RUN_TIME = 0;
  private static final int PROG_INFO_SIZE = 232;
  private static final int PROG_INFO_ID = 4;
  private static final int PROG_INFO_RUN_TIME_NS = 192;
  private static final int PROG_INFO_RUN_CNT = 200;

  private static LibBpf lib;
  private static LibBpfLog log;

  /**
   * System property: {@code false} attaches one perf-event link per uprobe, as on kernels without
   * uprobe_multi links.
   */
  public static final String MULTI_PROPERTY = "dynlog.uprobeMulti";

  /** The programs attached as uprobes (SEC("uprobe") in dynlog.bpf.c). */
  private static final String[] UPROBE_PROGRAMS = {
    ProbeTable.EMPTY_PROGRAM, ProbeTable.ENTRY_PROGRAM, ProbeTable.RETURN_PROGRAM
  };

  private static final int ENOENT = 2;
  private static boolean fallbackSaid;

  private final Pointer obj;
  private final boolean multi;
  private final Memory elf; // libbpf may refer to the ELF image while the object lives
  private final Map<String, BpfMap> maps = new HashMap<>();
  private final Map<String, Pointer> programs = new HashMap<>();
  private int statsFd = -1;
  private boolean closed;

  private BpfObject(Pointer obj, Memory elf, boolean multi) {
    this.obj = obj;
    this.elf = elf;
    this.multi = multi;
  }

  /** libbpf, loaded once; fails with a message naming the missing library. */
  static synchronized LibBpf lib() throws BpfException {
    if (lib == null) {
      LibBpf l;
      try {
        l = Native.load("bpf", LibBpf.class);
      } catch (UnsatisfiedLinkError first) {
        try {
          l = Native.load("libbpf.so.1", LibBpf.class);
        } catch (UnsatisfiedLinkError e) {
          throw new BpfException(
              "libbpf (libbpf.so.1) cannot be loaded: "
                  + e.getMessage()
                  + " (install the libbpf1 package)");
        }
      }
      log = new LibBpfLog();
      l.libbpf_set_print(log);
      lib = l;
    }
    return lib;
  }

  /**
   * Loads the embedded object into the kernel (verifier included). Its uprobe programs are loaded
   * for uprobe_multi links ({@link UprobeMulti}) where the kernel has them (Linux 6.6+), otherwise
   * (or with {@code -D}{@value #MULTI_PROPERTY}{@code =false}) for one perf-event link per uprobe,
   * said once on stderr.
   */
  public static BpfObject loadEmbedded() throws BpfException {
    byte[] elf;
    try (InputStream in = BpfObject.class.getResourceAsStream(RESOURCE)) {
      if (in == null)
        throw new BpfException(
            "the BPF object " + RESOURCE + " is missing from the classpath (build with mvn)");
      elf = in.readAllBytes();
    } catch (IOException e) {
      throw new BpfException("cannot read the embedded BPF object " + RESOURCE, e);
    }
    LibBpf l = lib();
    synchronized (BpfObject.class) {
      String why = "-D" + MULTI_PROPERTY + "=false";
      if (!"false".equals(System.getProperty(MULTI_PROPERTY))) {
        try {
          BpfObject o = load(l, elf, true);
          why = UprobeMulti.unsupportedReason(l.bpf_program__fd(o.program(UPROBE_PROGRAMS[0])));
          if (why == null) return o;
          o.close();
        } catch (BpfException e) {
          why = "the kernel refuses programs for them: " + e.getMessage();
        }
      }
      BpfObject o = load(l, elf, false);
      if (!fallbackSaid) {
        fallbackSaid = true;
        System.err.println(
            "dynlog: no uprobe_multi links ("
                + why
                + "): one perf-event link per uprobe, each slow to detach");
      }
      return o;
    }
  }

  private static BpfObject load(LibBpf l, byte[] elf, boolean multi) throws BpfException {
    log.mark();
    Memory buf = new Memory(elf.length);
    buf.write(0, elf, 0, elf.length);
    Pointer o = l.bpf_object__open_mem(buf, elf.length, null);
    if (o == null) {
      throw new BpfException(
          "libbpf cannot open the BPF object: " + BpfException.errno(Native.getLastError()),
          log.recent(10));
    }
    if (multi) {
      for (String name : UPROBE_PROGRAMS) {
        Pointer prog = l.bpf_object__find_program_by_name(o, name);
        int rc = prog == null ? -ENOENT : 0;
        if (rc == 0)
          rc = l.bpf_program__set_expected_attach_type(prog, UprobeMulti.BPF_TRACE_UPROBE_MULTI);
        if (rc != 0) {
          l.bpf_object__close(o);
          throw new BpfException(
              "cannot prepare the BPF program "
                  + name
                  + " for uprobe_multi links: "
                  + BpfException.errno(rc));
        }
      }
    }
    int rc = l.bpf_object__load(o);
    if (rc != 0) {
      String detail = log.recent(30);
      l.bpf_object__close(o);
      String hint = -rc == 1 || -rc == 13 ? " (BPF needs root or CAP_BPF + CAP_PERFMON)" : "";
      throw new BpfException(
          "cannot load the BPF object into the kernel: " + BpfException.errno(rc) + hint, detail);
    }
    // libbpf parsed the kernel's BTF to relocate the object (tens of MiB) and has freed it:
    // give those pages back rather than keep them resident for the agent's lifetime
    LibC.INSTANCE.malloc_trim(0);
    return new BpfObject(o, buf, multi);
  }

  /** Whether uprobes are attached as uprobe_multi links (else one perf-event link each). */
  public boolean multiUprobes() {
    return multi;
  }

  /** A map of the object by name. */
  public synchronized BpfMap map(String name) throws BpfException {
    BpfMap m = maps.get(name);
    if (m == null) {
      Pointer p = lib.bpf_object__find_map_by_name(obj, name);
      if (p == null) throw new BpfException("the BPF object has no map named " + name);
      m = new BpfMap(lib, name, lib.bpf_map__fd(p), lib.bpf_map__max_entries(p));
      maps.put(name, m);
    }
    return m;
  }

  private synchronized Pointer program(String name) throws BpfException {
    Pointer p = programs.get(name);
    if (p == null) {
      p = lib.bpf_object__find_program_by_name(obj, name);
      if (p == null) throw new BpfException("the BPF object has no program named " + name);
      programs.put(name, p);
    }
    return p;
  }

  /**
   * Attaches a program as a uprobe (or uretprobe) at a file offset of a binary.
   *
   * @param pid the process to trace, or -1 for every process mapping the binary (also later ones)
   * @param cookie the value {@code bpf_get_attach_cookie} returns in the program
   */
  public UprobeLink attachUprobe(
      String program, int pid, String binaryPath, long fileOffset, long cookie, boolean retprobe)
      throws BpfException {
    if (multi)
      return attachMulti(program, pid, binaryPath, new long[] {fileOffset}, cookie, retprobe);
    Pointer prog = program(program);
    Memory opts = new Memory(40);
    opts.clear();
    opts.setLong(0, 40); // sz
    opts.setLong(16, cookie); // bpf_cookie
    opts.setByte(24, (byte) (retprobe ? 1 : 0));
    synchronized (BpfObject.class) {
      log.mark();
      Pointer link = lib.bpf_program__attach_uprobe_opts(prog, pid, binaryPath, fileOffset, opts);
      if (link == null) {
        int err = Native.getLastError();
        throw new BpfException(
            "cannot attach a "
                + (retprobe ? "uretprobe" : "uprobe")
                + " to "
                + binaryPath
                + " at file offset 0x"
                + Long.toHexString(fileOffset)
                + (pid >= 0 ? " in pid " + pid : "")
                + ": "
                + BpfException.errno(err),
            log.recent(5));
      }
      return new UprobeLink(lib, link, binaryPath, fileOffset);
    }
  }

  /**
   * Attaches a program as uprobes (or uretprobes) at several file offsets of a binary, all with the
   * same cookie: one uprobe_multi link, or one perf-event link per offset.
   *
   * @param pid the process to trace, or -1 for every process mapping the binary (also later ones)
   */
  public List<UprobeLink> attachUprobes(
      String program, int pid, String binaryPath, long[] fileOffsets, long cookie, boolean retprobe)
      throws BpfException {
    if (fileOffsets.length == 0) return List.of();
    if (multi) return List.of(attachMulti(program, pid, binaryPath, fileOffsets, cookie, retprobe));
    List<UprobeLink> links = new ArrayList<>(fileOffsets.length);
    try {
      for (long off : fileOffsets)
        links.add(attachUprobe(program, pid, binaryPath, off, cookie, retprobe));
    } catch (BpfException | RuntimeException e) {
      UprobeLink.closeAll(links);
      throw e;
    }
    return links;
  }

  private UprobeLink attachMulti(
      String program, int pid, String binaryPath, long[] fileOffsets, long cookie, boolean retprobe)
      throws BpfException {
    int progFd = lib.bpf_program__fd(program(program));
    int fd =
        UprobeMulti.create(progFd, binaryPath, fileOffsets, cookie, Math.max(pid, 0), retprobe);
    if (fd < 0) {
      StringBuilder offs = new StringBuilder();
      for (long off : fileOffsets)
        offs.append(offs.isEmpty() ? "0x" : ", 0x").append(Long.toHexString(off));
      boolean one = fileOffsets.length == 1;
      String what = retprobe ? "uretprobe" : "uprobe";
      throw new BpfException(
          "cannot attach "
              + (one ? "a " + what : fileOffsets.length + " " + what + "s")
              + " to "
              + binaryPath
              + " at file offset"
              + (one ? " " : "s ")
              + offs
              + (pid >= 0 ? " in pid " + pid : "")
              + ": "
              + BpfException.errno(fd),
          "kernel: bpf(BPF_LINK_CREATE) of a uprobe_multi link of "
              + program
              + " failed: "
              + BpfException.errno(fd));
    }
    return new UprobeLink(fd, binaryPath, fileOffsets);
  }

  /**
   * Attaches a program where its section says (e.g. a {@code tp_btf/} program to its kernel
   * tracepoint, through BTF: no tracefs needed).
   */
  public ProgramLink attach(String program) throws BpfException {
    Pointer prog = program(program);
    synchronized (BpfObject.class) {
      log.mark();
      Pointer link = lib.bpf_program__attach(prog);
      if (link == null) {
        throw new BpfException(
            "cannot attach the BPF program "
                + program
                + ": "
                + BpfException.errno(Native.getLastError()),
            log.recent(5));
      }
      return new ProgramLink(lib, link, program);
    }
  }

  /** Number of possible CPUs (the per-CPU value count of per-CPU maps). */
  public int possibleCpus() {
    return lib.libbpf_num_possible_cpus();
  }

  /**
   * Turns on the kernel's BPF run-time statistics (BPF_ENABLE_STATS) for as long as this object is
   * open. Idempotent.
   */
  public synchronized void enableRunTimeStats() throws BpfException {
    if (statsFd >= 0) return;
    int fd = lib.bpf_enable_stats(BPF_STATS_RUN_TIME);
    if (fd < 0)
      throw new BpfException("cannot enable BPF run-time statistics: " + BpfException.errno(fd));
    statsFd = fd;
  }

  /** {run_time_ns, run_cnt} of a program, from bpf_obj_get_info_by_fd. */
  public long[] programRunStats(String program) throws BpfException {
    Memory info = programInfo(program);
    return new long[] {info.getLong(PROG_INFO_RUN_TIME_NS), info.getLong(PROG_INFO_RUN_CNT)};
  }

  /** The kernel's id of a program (as {@code bpftool prog list} shows it). */
  public int programId(String program) throws BpfException {
    return programInfo(program).getInt(PROG_INFO_ID);
  }

  private Memory programInfo(String program) throws BpfException {
    int fd = lib.bpf_program__fd(program(program));
    Memory info = new Memory(PROG_INFO_SIZE);
    info.clear();
    IntByReference len = new IntByReference(PROG_INFO_SIZE);
    int rc = lib.bpf_obj_get_info_by_fd(fd, info, len);
    if (rc != 0)
      throw new BpfException(
          "cannot read BPF program info of " + program + ": " + BpfException.errno(rc));
    return info;
  }

  /** Unloads the programs and maps (attached links must have been destroyed). */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    if (statsFd >= 0) LibC.INSTANCE.close(statsFd);
    lib.bpf_object__close(obj);
  }
}
