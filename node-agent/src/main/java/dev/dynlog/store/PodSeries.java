package dev.dynlog.store;

import dev.dynlog.trace.ProbeCounters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Bounds the {@code pod} label of one tracepoint's metrics on one node: the first {@link #MAX_PODS}
 * pods seen keep a series of their own for the tracepoint's life, every later pod is added into one
 * series {@code pod="other"}. A pod never moves between its own series and {@code other}, so each
 * series only grows, and the sum over the series always equals the tracepoint's total.
 *
 * <p>Thread-safe: scrapes may run at once.
 */
public final class PodSeries {

  /**
   * Pods per tracepoint per node with a series of their own. Each pod adds about 35 series (8
   * counters and gauges and the latency histogram's buckets); a node runs at most 110 pods by the
   * kubelet's default, and replicas of one workload on one node are usually a handful, so 20 keeps
   * every pod of a normal deployment apart while a tracepoint selecting every pod of a busy node
   * costs at most 21 × 35 series per node instead of 110 × 35.
   */
  public static final int MAX_PODS = 20;

  private final int maxPods;
  private final Set<String> named = new LinkedHashSet<>();

  /** A bound of {@link #MAX_PODS}. */
  public PodSeries() {
    this(MAX_PODS);
  }

  /**
   * @param maxPods pods with a series of their own, at least 1
   */
  public PodSeries(int maxPods) {
    if (maxPods < 1)
      throw new IllegalArgumentException("maxPods must be at least 1, got " + maxPods);
    this.maxPods = maxPods;
  }

  /**
   * The series for {@code pods}: one per named pod (in the order they were first seen), then {@code
   * other} when some pod is past the bound. Counters without a pod (standalone) pass unchanged.
   */
  public synchronized List<PodCounters> bound(List<PodCounters> pods) {
    Map<String, ProbeCounters> own = new LinkedHashMap<>();
    ProbeCounters other = null;
    List<PodCounters> out = new ArrayList<>();
    for (PodCounters p : pods) {
      if (p.pod() == null) {
        out.add(p);
        continue;
      }
      if (!named.contains(p.pod()) && named.size() < maxPods && !p.pod().equals(PodCounters.OTHER))
        named.add(p.pod());
      if (named.contains(p.pod())) own.merge(p.pod(), p.counters(), ProbeCounters::sum);
      else other = ProbeCounters.sum(other, p.counters());
    }
    for (String pod : named) {
      ProbeCounters c = own.get(pod);
      if (c != null) out.add(new PodCounters(pod, c));
    }
    if (other != null) out.add(new PodCounters(PodCounters.OTHER, other));
    return out;
  }
}
