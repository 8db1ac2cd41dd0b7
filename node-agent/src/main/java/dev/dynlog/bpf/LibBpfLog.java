package dev.dynlog.bpf;

import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/** Captures libbpf's messages (instead of printing them) so errors can quote the relevant lines. */
final class LibBpfLog implements LibBpf.PrintFn {
  private static final int LEVEL_DEBUG = 2;
  private static final int KEEP = 200;

  private final Deque<String> lines = new ArrayDeque<>();

  @Override
  public int invoke(int level, String format, Pointer vaList) {
    if (level >= LEVEL_DEBUG) return 0;
    byte[] buf = new byte[4096];
    int n = LibC.INSTANCE.vsnprintf(buf, buf.length, format, vaList);
    String text =
        new String(buf, 0, Math.max(0, Math.min(n, buf.length - 1)), StandardCharsets.UTF_8);
    synchronized (lines) {
      for (String line : text.split("\n")) {
        if (line.isBlank()) continue;
        if (lines.size() == KEEP) lines.removeFirst();
        lines.addLast(line.strip());
      }
    }
    return 0;
  }

  /** Forgets earlier messages (call before an operation whose messages matter). */
  void mark() {
    synchronized (lines) {
      lines.clear();
    }
  }

  /** The messages since {@link #mark()}, the last {@code max} of them, joined; "" when none. */
  String recent(int max) {
    synchronized (lines) {
      StringBuilder sb = new StringBuilder();
      int skip = Math.max(0, lines.size() - max);
      for (String l : lines) {
        if (skip-- > 0) continue;
        if (sb.length() > 0) sb.append('\n');
        sb.append("libbpf: ").append(l);
      }
      return sb.toString();
    }
  }
}
