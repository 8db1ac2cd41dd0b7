package dev.dynlog.bpf;

import com.sun.jna.Pointer;

/** One attached uprobe or uretprobe (a libbpf {@code bpf_link}); {@link #close()} detaches it. */
public final class UprobeLink implements AutoCloseable {
  private final LibBpf lib;
  private final String binaryPath;
  private final long fileOffset;
  private Pointer link;

  UprobeLink(LibBpf lib, Pointer link, String binaryPath, long fileOffset) {
    this.lib = lib;
    this.link = link;
    this.binaryPath = binaryPath;
    this.fileOffset = fileOffset;
  }

  @Override
  public synchronized void close() {
    if (link != null) {
      lib.bpf_link__destroy(link);
      link = null;
    }
  }

  @Override
  public String toString() {
    return binaryPath + "+0x" + Long.toHexString(fileOffset);
  }
}
