package dev.dynlog.bpf;

import com.sun.jna.Pointer;

/**
 * An attached program other than a uprobe (a libbpf {@code bpf_link}); {@link #close()} detaches
 * it.
 */
public final class ProgramLink implements AutoCloseable {
  private final LibBpf lib;
  private final String program;
  private Pointer link;

  ProgramLink(LibBpf lib, Pointer link, String program) {
    this.lib = lib;
    this.link = link;
    this.program = program;
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
    return program;
  }
}
