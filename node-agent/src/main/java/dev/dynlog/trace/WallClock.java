package dev.dynlog.trace;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** Offset from CLOCK_MONOTONIC (bpf_ktime_get_ns) to CLOCK_REALTIME, measured once. */
final class WallClock {
  private WallClock() {}

  private interface Clock extends Library {
    Clock C = Native.load("c", Clock.class);

    int clock_gettime(int clock, long[] timespec);
  }

  private static long read(int clock) {
    long[] ts = new long[2];
    Clock.C.clock_gettime(clock, ts);
    return ts[0] * 1_000_000_000L + ts[1];
  }

  /** realtime - monotonic in ns; the sample with the narrowest monotonic bracket wins. */
  static long monotonicToEpochOffsetNs() {
    long best = 0, bestWidth = Long.MAX_VALUE;
    for (int i = 0; i < 16; i++) {
      long m1 = read(1);
      long r = read(0);
      long m2 = read(1);
      if (m2 - m1 < bestWidth) {
        bestWidth = m2 - m1;
        best = r - (m1 + (m2 - m1) / 2);
      }
    }
    return best;
  }

  /** Current CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns. */
  static long monotonicNs() {
    return read(1);
  }
}
