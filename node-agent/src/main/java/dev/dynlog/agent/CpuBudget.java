package dev.dynlog.agent;

import java.util.Locale;

/**
 * The circuit breaker of one tracepoint on one node ({@code limits.maxCpuPercent}). The agent feeds
 * it, at every tick, what the tracepoint's probes cost since the previous tick: the calls, and the
 * CPU estimated from kernel counters as hits × the node's per-hit trap cost plus the BPF programs'
 * run time. It judges whole windows of at least {@link #WINDOW_NS} (ticks are shorter) and trips
 * after {@link #TRIP_AFTER} consecutive windows over the budget, so a burst does not detach a
 * tracepoint but a sustained hot loop does within about 3 seconds. Pure logic, no clock of its own.
 */
final class CpuBudget {

  /** Length of one judged window. */
  static final long WINDOW_NS = 1_000_000_000L;

  /** Consecutive windows over the budget that trip the breaker. */
  static final int TRIP_AFTER = 3;

  /**
   * One judged window.
   *
   * @param cpuRatio estimated fraction of one core the tracepoint cost on this node
   * @param callsPerSecond calls of the traced function in the selected processes
   * @param over whether the window was over the budget
   * @param trip whether this window tripped the breaker
   */
  record Window(double cpuRatio, double callsPerSecond, boolean over, boolean trip) {}

  private final double maxRatio;
  private final double maxPercent;
  private long windowNs;
  private long windowCalls;
  private double windowCpuNs;
  private int overInARow;
  private Window last = new Window(0, 0, false, false);

  /** A budget of {@code maxCpuPercent} percent of one core, in (0, 100]. */
  CpuBudget(double maxCpuPercent) {
    if (!(maxCpuPercent > 0 && maxCpuPercent <= 100)) {
      throw new IllegalArgumentException("maxCpuPercent must be in (0, 100], not " + maxCpuPercent);
    }
    this.maxPercent = maxCpuPercent;
    this.maxRatio = maxCpuPercent / 100;
  }

  /**
   * Adds one tick's cost; returns the judged window when this tick completes one, else null.
   *
   * @param elapsedNs time since the previous tick
   * @param calls calls since the previous tick
   * @param cpuNs estimated CPU ns since the previous tick
   */
  Window add(long elapsedNs, long calls, double cpuNs) {
    windowNs += Math.max(0, elapsedNs);
    windowCalls += Math.max(0, calls);
    windowCpuNs += Math.max(0, cpuNs);
    if (windowNs < WINDOW_NS) return null;
    double ratio = windowCpuNs / windowNs;
    double rate = windowCalls * 1e9 / windowNs;
    boolean over = ratio > maxRatio;
    overInARow = over ? overInARow + 1 : 0;
    last = new Window(ratio, rate, over, overInARow >= TRIP_AFTER);
    windowNs = 0;
    windowCalls = 0;
    windowCpuNs = 0;
    return last;
  }

  /** The last judged window (zeros before the first). */
  Window last() {
    return last;
  }

  /**
   * The pod message once tripped, with the figures of the window that tripped it, e.g. "over its
   * CPU budget: 182,000 calls/s cost 21.4% of a core (limit 5%); detached. Narrow ...".
   */
  String message(Window w) {
    return String.format(
        Locale.ROOT,
        "over its CPU budget: %,.0f calls/s cost %.1f%% of a core (limit %s%%) for %d s; detached"
            + " until the spec changes. Narrow the selector or processName, trace a less frequently"
            + " called function, or raise limits.maxCpuPercent",
        w.callsPerSecond(),
        w.cpuRatio() * 100,
        percent(maxPercent),
        TRIP_AFTER * WINDOW_NS / 1_000_000_000L);
  }

  private static String percent(double p) {
    return p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p);
  }
}
