package dev.dynlog.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;

/**
 * The kernel's uprobe_multi links (Linux 6.6 and later), which libbpf 1.1 has no API for: one
 * {@code bpf(BPF_LINK_CREATE)} attaches a program at many file offsets of one binary, each with its
 * cookie; closing the link's fd detaches them all with one synchronisation. The attribute layout is
 * {@code union bpf_attr}'s {@code link_create.uprobe_multi} of {@code include/uapi/linux/bpf.h}
 * (checked against the running kernel's BTF by {@code UprobeMultiLayoutTest}).
 */
final class UprobeMulti {
  /** {@code __NR_bpf} on x86-64. */
  static final long SYS_BPF = 321;

  /** {@code enum bpf_cmd}: BPF_LINK_CREATE. */
  static final int BPF_LINK_CREATE = 28;

  /** {@code enum bpf_attach_type}: BPF_TRACE_UPROBE_MULTI. */
  static final int BPF_TRACE_UPROBE_MULTI = 48;

  /** {@code link_create.uprobe_multi.flags}: the uprobes are uretprobes. */
  static final int BPF_F_UPROBE_MULTI_RETURN = 1;

  /** Offsets in {@code union bpf_attr} (link_create). */
  static final int ATTR_PROG_FD = 0;

  static final int ATTR_TARGET_FD = 4;
  static final int ATTR_ATTACH_TYPE = 8;
  static final int ATTR_FLAGS = 12;
  static final int ATTR_PATH = 16;
  static final int ATTR_OFFSETS = 24;
  static final int ATTR_REF_CTR_OFFSETS = 32;
  static final int ATTR_COOKIES = 40;
  static final int ATTR_CNT = 48;
  static final int ATTR_MULTI_FLAGS = 52;
  static final int ATTR_PID = 56;

  /** Bytes of the attribute passed (every field above, rounded up to 8). */
  static final int ATTR_SIZE = 64;

  private static final int EBADF = 9;
  private static final int EINVAL = 22;

  private UprobeMulti() {}

  /**
   * Creates a uprobe_multi link of a loaded program (loaded with expected attach type {@link
   * #BPF_TRACE_UPROBE_MULTI}).
   *
   * @param pid the process to trace, or 0 for every process mapping the binary
   * @return the link's fd, or a negative errno
   */
  static int create(
      int progFd, String path, long[] offsets, long cookie, int pid, boolean retprobe) {
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    Memory pathMem = new Memory(p.length + 1L);
    pathMem.write(0, p, 0, p.length);
    pathMem.setByte(p.length, (byte) 0);
    Memory offs = new Memory(8L * offsets.length);
    Memory cookies = new Memory(8L * offsets.length);
    for (int i = 0; i < offsets.length; i++) {
      offs.setLong(8L * i, offsets[i]);
      cookies.setLong(8L * i, cookie);
    }
    Memory attr = attr(progFd, pathMem, offs, cookies, offsets.length, pid, retprobe);
    long fd = LibC.INSTANCE.syscall(SYS_BPF, BPF_LINK_CREATE, attr, ATTR_SIZE);
    int err = fd < 0 ? Native.getLastError() : 0;
    Reference.reachabilityFence(pathMem); // the attribute holds raw addresses of these
    Reference.reachabilityFence(offs);
    Reference.reachabilityFence(cookies);
    return fd < 0 ? -err : (int) fd;
  }

  /** The {@code union bpf_attr} of a BPF_LINK_CREATE of a uprobe_multi link. */
  static Memory attr(
      int progFd,
      Memory path,
      Memory offsets,
      Memory cookies,
      int count,
      int pid,
      boolean retprobe) {
    Memory attr = new Memory(ATTR_SIZE);
    attr.clear();
    attr.setInt(ATTR_PROG_FD, progFd);
    attr.setInt(ATTR_ATTACH_TYPE, BPF_TRACE_UPROBE_MULTI);
    attr.setLong(ATTR_PATH, Pointer.nativeValue(path));
    attr.setLong(ATTR_OFFSETS, Pointer.nativeValue(offsets));
    attr.setLong(ATTR_REF_CTR_OFFSETS, 0);
    attr.setLong(ATTR_COOKIES, Pointer.nativeValue(cookies));
    attr.setInt(ATTR_CNT, count);
    attr.setInt(ATTR_MULTI_FLAGS, retprobe ? BPF_F_UPROBE_MULTI_RETURN : 0);
    attr.setInt(ATTR_PID, pid);
    return attr;
  }

  /**
   * Whether this kernel creates uprobe_multi links for a program loaded for them, with process (not
   * thread) pid filtering. Two creations that must fail tell: on the invalid path "/", a kernel
   * with uprobe_multi links fails with EBADF (an older one takes the attribute for a perf-event
   * link and fails differently, or with EBADF too: hence the second); with the invalid pid -1 too,
   * a kernel whose pid filter is right fails with EINVAL before looking at the path (the first
   * kernels with these links filtered by thread and fail with EBADF there).
   *
   * @return null when supported, otherwise why not
   */
  static String unsupportedReason(int progFd) {
    int first = probe(progFd, 0);
    if (first >= 0) return "a uprobe_multi link on \"/\" was created";
    if (-first != EBADF)
      return "BPF_LINK_CREATE of a uprobe_multi link: " + BpfException.errno(first);
    int second = probe(progFd, -1);
    if (second >= 0) return "a uprobe_multi link for pid -1 was created";
    if (-second != EINVAL)
      return "the kernel's uprobe_multi links filter by thread, not process ("
          + BpfException.errno(second)
          + " for pid -1)";
    return null;
  }

  private static int probe(int progFd, int pid) {
    int fd = create(progFd, "/", new long[] {0}, 0, pid, false);
    if (fd >= 0) LibC.INSTANCE.close(fd);
    return fd;
  }
}
