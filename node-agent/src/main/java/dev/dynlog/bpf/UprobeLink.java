package dev.dynlog.bpf;

import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Attached uprobes or uretprobes of one program in one binary: a libbpf {@code bpf_link} (one
 * perf-event uprobe at one offset), or a uprobe_multi link fd ({@link UprobeMulti}: one link for
 * many offsets). {@link #close()} detaches them.
 */
public final class UprobeLink implements AutoCloseable {

  /**
   * Most links detached at the same time by {@link #closeAll}. Detaching one perf-event uprobe
   * waits for an RCU grace period in the kernel under its global event_mutex (0.2 to 0.3 s measured
   * on 6.18): 1,000 links took minutes; concurrently some of the waits overlap. A uprobe_multi link
   * waits once (about 50 ms) without that mutex, so concurrent closes overlap fully.
   */
  static final int PARALLEL_DETACH = 64;

  private final LibBpf lib;
  private final String binaryPath;
  private final long[] fileOffsets;
  private Pointer link;
  private int fd;

  /** A libbpf perf-event link at one offset. */
  UprobeLink(LibBpf lib, Pointer link, String binaryPath, long fileOffset) {
    this.lib = lib;
    this.link = link;
    this.fd = -1;
    this.binaryPath = binaryPath;
    this.fileOffsets = new long[] {fileOffset};
  }

  /** A uprobe_multi link (its fd) at these offsets. */
  UprobeLink(int fd, String binaryPath, long[] fileOffsets) {
    this.lib = null;
    this.fd = fd;
    this.binaryPath = binaryPath;
    this.fileOffsets = fileOffsets.clone();
  }

  /** Number of uprobes this link holds (one per file offset). */
  public int uprobes() {
    return fileOffsets.length;
  }

  @Override
  public synchronized void close() {
    if (link != null) {
      lib.bpf_link__destroy(link);
      link = null;
    }
    if (fd >= 0) {
      LibC.INSTANCE.close(fd);
      fd = -1;
    }
  }

  /**
   * Detaches many links at once, up to {@value #PARALLEL_DETACH} at the same time, and returns when
   * all are detached.
   */
  public static void closeAll(Collection<UprobeLink> links) {
    if (links.size() <= 1) {
      for (UprobeLink l : links) l.close();
      return;
    }
    ConcurrentLinkedQueue<UprobeLink> todo = new ConcurrentLinkedQueue<>(links);
    int n = Math.min(PARALLEL_DETACH, links.size());
    List<Thread> threads = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Thread t =
          new Thread(
              () -> {
                for (UprobeLink l; (l = todo.poll()) != null; ) l.close();
              },
              "dynlog-detach-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    boolean interrupted = false;
    for (Thread t : threads) {
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // finish detaching: the kernel must not keep them
        }
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(binaryPath);
    for (int i = 0; i < fileOffsets.length; i++) {
      sb.append(i == 0 ? "+0x" : ",0x").append(Long.toHexString(fileOffsets[i]));
    }
    return sb.toString();
  }
}
