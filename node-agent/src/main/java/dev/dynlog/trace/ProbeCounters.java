package dev.dynlog.trace;

import java.util.Arrays;

/**
 * Cumulative counters of one tracepoint, read from the BPF program's per-probe maps (exact, counted
 * in the kernel for every call, whether or not its row was emitted) plus the user-space side.
 *
 * @param calls calls that entered the function
 * @param returns calls whose return was paired with their entry
 * @param errors returns whose Go {@code error} result was non-nil (exact, counted in the kernel)
 * @param latencyBucketBoundsNs upper bounds (inclusive, ns) of the latency histogram buckets; the
 *     last bucket {@code latencyBucketCounts[bounds.length]} is +Inf
 * @param latencyBucketCounts per-bucket counts (non-cumulative), length bounds.length + 1
 * @param latencySumNs sum of all paired latencies in ns
 * @param droppedRingFull rows lost because the kernel ring buffer was full
 * @param droppedRateLimited rows not emitted because of maxEventsPerSecond or sampling
 * @param droppedPairingEvicted entries evicted from the pairing map before their return (panics...)
 * @param droppedDecodeFailed rows that could not be decoded in user space
 * @param probeRunTimeNs time spent running this probe's BPF programs, measured in the kernel around
 *     each run (the uprobe trap and the kernel's uprobe dispatch are not included)
 * @param probeRunCount runs of this probe's BPF programs (entry and return hits)
 * @param attachedProbes uprobes currently attached for this tracepoint
 */
public record ProbeCounters(
    long calls,
    long returns,
    long errors,
    long[] latencyBucketBoundsNs,
    long[] latencyBucketCounts,
    long latencySumNs,
    long droppedRingFull,
    long droppedRateLimited,
    long droppedPairingEvicted,
    long droppedDecodeFailed,
    long probeRunTimeNs,
    long probeRunCount,
    int attachedProbes) {

  /** No calls yet, with these latency bounds. */
  public static ProbeCounters none(long[] latencyBucketBoundsNs) {
    return new ProbeCounters(
        0,
        0,
        0,
        latencyBucketBoundsNs,
        new long[latencyBucketBoundsNs.length + 1],
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0);
  }

  /**
   * The counters of two probes of one tracepoint added up (say, its probes in several pods); null
   * stands for none. Both must have the same latency bounds.
   */
  public static ProbeCounters sum(ProbeCounters a, ProbeCounters b) {
    if (a == null) return b;
    if (b == null) return a;
    if (!Arrays.equals(a.latencyBucketBoundsNs, b.latencyBucketBoundsNs)) {
      throw new IllegalArgumentException("counters with different latency bounds cannot be added");
    }
    long[] hist = a.latencyBucketCounts.clone();
    for (int i = 0; i < hist.length && i < b.latencyBucketCounts.length; i++)
      hist[i] += b.latencyBucketCounts[i];
    return new ProbeCounters(
        a.calls + b.calls,
        a.returns + b.returns,
        a.errors + b.errors,
        a.latencyBucketBoundsNs,
        hist,
        a.latencySumNs + b.latencySumNs,
        a.droppedRingFull + b.droppedRingFull,
        a.droppedRateLimited + b.droppedRateLimited,
        a.droppedPairingEvicted + b.droppedPairingEvicted,
        a.droppedDecodeFailed + b.droppedDecodeFailed,
        a.probeRunTimeNs + b.probeRunTimeNs,
        a.probeRunCount + b.probeRunCount,
        a.attachedProbes + b.attachedProbes);
  }
}
