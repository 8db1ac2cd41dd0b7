package dev.dynlog.trace;

import java.time.Duration;
import java.util.function.LongFunction;

/**
 * How a tracepoint captures.
 *
 * @param name the tracepoint's name in rows and metrics; null = the function name
 * @param latency measure each call's latency (attaches return probes even without result captures)
 * @param maxEventsPerSecond rows per second the kernel emits at most (token bucket with a burst of
 *     one second's worth); 0 = unlimited. Limited calls are still counted and timed.
 * @param sampleRatio fraction of calls (0..1] that emit rows, decided in the kernel per call
 * @param pairingTimeout how long an entry waits for its return before it is evicted and counted (a
 *     Go panic or a longjmp skips the return)
 * @param latencyBucketBoundsNs upper bounds (inclusive, ns, ascending, at most 32) of the latency
 *     histogram counted in the kernel
 * @param symbolizer names an address of the target (Go itabs, for {@code error} values); null =
 *     show the address. Typically {@code dev.dynlog.symbols.Binary::symbolize}.
 * @param source where the traced processes run in a cluster, carried by every row; null outside
 *     Kubernetes
 */
public record TraceOptions(
    String name,
    boolean latency,
    long maxEventsPerSecond,
    double sampleRatio,
    Duration pairingTimeout,
    long[] latencyBucketBoundsNs,
    LongFunction<String> symbolizer,
    Row.Source source) {

  /** 1 µs .. 10 s in 1-2.5-5 steps. */
  private static final long[] DEFAULT_BOUNDS_NS = defaultBounds();

  public TraceOptions {
    if (maxEventsPerSecond < 0)
      throw new IllegalArgumentException(
          "maxEventsPerSecond must be >= 0, got " + maxEventsPerSecond);
    if (!(sampleRatio > 0 && sampleRatio <= 1))
      throw new IllegalArgumentException("sampleRatio must be in (0, 1], got " + sampleRatio);
    if (pairingTimeout == null || pairingTimeout.isNegative() || pairingTimeout.isZero()) {
      throw new IllegalArgumentException("pairingTimeout must be positive, got " + pairingTimeout);
    }
    latencyBucketBoundsNs = latencyBucketBoundsNs.clone();
    if (latencyBucketBoundsNs.length > 32)
      throw new IllegalArgumentException("at most 32 latency bucket bounds");
    for (int i = 1; i < latencyBucketBoundsNs.length; i++) {
      if (latencyBucketBoundsNs[i] <= latencyBucketBoundsNs[i - 1])
        throw new IllegalArgumentException("latency bucket bounds must ascend");
    }
  }

  /** Entry captures only, no latency, unlimited, pairing timeout 5 minutes. */
  public static TraceOptions defaults() {
    return new TraceOptions(
        null, false, 0, 1.0, Duration.ofMinutes(5), DEFAULT_BOUNDS_NS, null, null);
  }

  public TraceOptions withName(String n) {
    return new TraceOptions(
        n,
        latency,
        maxEventsPerSecond,
        sampleRatio,
        pairingTimeout,
        latencyBucketBoundsNs,
        symbolizer,
        source);
  }

  public TraceOptions withLatency(boolean l) {
    return new TraceOptions(
        name,
        l,
        maxEventsPerSecond,
        sampleRatio,
        pairingTimeout,
        latencyBucketBoundsNs,
        symbolizer,
        source);
  }

  public TraceOptions withMaxEventsPerSecond(long m) {
    return new TraceOptions(
        name, latency, m, sampleRatio, pairingTimeout, latencyBucketBoundsNs, symbolizer, source);
  }

  public TraceOptions withSampleRatio(double r) {
    return new TraceOptions(
        name,
        latency,
        maxEventsPerSecond,
        r,
        pairingTimeout,
        latencyBucketBoundsNs,
        symbolizer,
        source);
  }

  public TraceOptions withPairingTimeout(Duration t) {
    return new TraceOptions(
        name,
        latency,
        maxEventsPerSecond,
        sampleRatio,
        t,
        latencyBucketBoundsNs,
        symbolizer,
        source);
  }

  public TraceOptions withSymbolizer(LongFunction<String> s) {
    return new TraceOptions(
        name,
        latency,
        maxEventsPerSecond,
        sampleRatio,
        pairingTimeout,
        latencyBucketBoundsNs,
        s,
        source);
  }

  public TraceOptions withSource(Row.Source s) {
    return new TraceOptions(
        name,
        latency,
        maxEventsPerSecond,
        sampleRatio,
        pairingTimeout,
        latencyBucketBoundsNs,
        symbolizer,
        s);
  }

  /** The default latency histogram bounds: 1 µs .. 10 s in 1-2.5-5 steps (a copy). */
  public static long[] defaultLatencyBoundsNs() {
    return DEFAULT_BOUNDS_NS.clone();
  }

  @Override
  public long[] latencyBucketBoundsNs() {
    return latencyBucketBoundsNs.clone();
  }

  private static long[] defaultBounds() {
    long[] b = new long[22];
    int i = 0;
    for (long decade = 1_000; decade <= 1_000_000_000L; decade *= 10) {
      b[i++] = decade;
      b[i++] = decade * 5 / 2;
      b[i++] = decade * 5;
    }
    b[i] = 10_000_000_000L;
    return b;
  }
}
