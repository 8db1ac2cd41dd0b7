package dev.dynlog.bpf;

/**
 * One probe's {@code struct probe_stats}, summed over CPUs: counted in the kernel for every hit,
 * whether or not a row was emitted.
 *
 * @param calls calls that entered the function (morestack restarts not counted again)
 * @param returns returns paired with their entry
 * @param errors returns whose Go {@code error} result was non-nil
 * @param latencySumNs sum of the paired calls' latencies
 * @param ringFull rows lost because the ring buffer was full
 * @param rateLimited rows not emitted because of the token bucket or sampling
 * @param pairFull entries not paired because the pairing map was full
 * @param stale entries replaced by a new call at the same frame (the old one never returned)
 * @param restarts entries recognised as morestack restarts of a call already entered
 * @param unpaired returns without an entry (attached mid-call, or evicted by the sweeper)
 * @param hits program runs (entry and return)
 * @param runNs time spent in this probe's program runs, measured in the kernel per run
 * @param filtered runs in a process outside the probe's allowed groups (a trap, but no call)
 * @param latencyBuckets per-bucket counts (non-cumulative) for each latency bound, then +Inf
 */
public record KernelCounters(
    long calls,
    long returns,
    long errors,
    long latencySumNs,
    long ringFull,
    long rateLimited,
    long pairFull,
    long stale,
    long restarts,
    long unpaired,
    long hits,
    long runNs,
    long filtered,
    long[] latencyBuckets) {

  public KernelCounters {
    latencyBuckets = latencyBuckets.clone();
  }

  @Override
  public long[] latencyBuckets() {
    return latencyBuckets.clone();
  }
}
