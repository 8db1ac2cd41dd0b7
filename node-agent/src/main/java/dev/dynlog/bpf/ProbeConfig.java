package dev.dynlog.bpf;

import com.sun.jna.Memory;
import dev.dynlog.recipe.RecipeLimits;

/**
 * How the BPF program handles one probe's hits: the {@code struct probe_cfg} of its probe id.
 *
 * @param go Go pairing (goroutine frame from R14's g) rather than thread frames
 * @param paired entry and return are paired (latency or values read at return)
 * @param retSites the return program sits on RET instructions rather than in a uretprobe
 * @param filtered the probe runs only in the processes of its allowed groups ({@link
 *     KernelProbe#allow}); its uprobes are attached to every process of the binary
 * @param goidOffset offset of {@code goid} in runtime.g (Go only)
 * @param stackHiOffset offset of {@code stack.hi} in runtime.g (Go only)
 * @param schedPcOffset offset of {@code sched.pc} in runtime.g, or -1 when unknown
 * @param maxEventsPerSecond rows emitted per second at most (token bucket, burst of one second's
 *     worth); 0 = unlimited
 * @param sampleRatio fraction (0..1] of calls whose row is emitted
 * @param latencyBoundsNs upper bounds (ns, ascending) of the latency histogram
 */
public record ProbeConfig(
    boolean go,
    boolean paired,
    boolean retSites,
    boolean filtered,
    long goidOffset,
    long stackHiOffset,
    long schedPcOffset,
    long maxEventsPerSecond,
    double sampleRatio,
    long[] latencyBoundsNs) {

  public ProbeConfig {
    if (latencyBoundsNs.length > RecipeLimits.MAX_LATENCY_BOUNDS) {
      throw new IllegalArgumentException(
          "at most " + RecipeLimits.MAX_LATENCY_BOUNDS + " latency bounds");
    }
    latencyBoundsNs = latencyBoundsNs.clone();
  }

  /** The configuration as the program reads it, active. */
  Memory encode() {
    Memory m = new Memory(Layout.CFG_SIZE);
    m.clear();
    int flags =
        Layout.F_ACTIVE
            | (go ? Layout.F_GO : 0)
            | (paired ? Layout.F_PAIRED : 0)
            | (retSites ? Layout.F_RETSITE : 0)
            | (filtered ? Layout.F_FILTERED : 0);
    m.setInt(Layout.CFG_FLAGS, flags);
    m.setInt(Layout.CFG_NBOUNDS, latencyBoundsNs.length);
    m.setLong(Layout.CFG_GOID_OFF, goidOffset);
    m.setLong(Layout.CFG_STACKHI_OFF, stackHiOffset);
    m.setLong(Layout.CFG_SCHEDPC_OFF, schedPcOffset);
    if (maxEventsPerSecond > 0) {
      long interval = Math.max(1, 1_000_000_000L / maxEventsPerSecond);
      m.setLong(Layout.CFG_INTERVAL_NS, interval);
      m.setLong(Layout.CFG_BURST_NS, interval * maxEventsPerSecond);
    }
    m.setLong(
        Layout.CFG_SAMPLE_THRESH,
        sampleRatio >= 1 ? 1L << 32 : (long) (sampleRatio * 4294967296.0));
    for (int i = 0; i < latencyBoundsNs.length; i++)
      m.setLong(Layout.CFG_BOUNDS + 8L * i, latencyBoundsNs[i]);
    return m;
  }
}
