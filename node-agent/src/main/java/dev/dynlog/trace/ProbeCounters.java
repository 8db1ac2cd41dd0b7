package dev.dynlog.trace;

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
    int attachedProbes) {}
