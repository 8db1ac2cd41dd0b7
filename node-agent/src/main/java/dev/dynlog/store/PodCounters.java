package dev.dynlog.store;

import dev.dynlog.trace.ProbeCounters;
import java.util.List;

/**
 * The kernel counters of one pod's probes of a tracepoint (every container and binary of the pod,
 * attached and already detached, summed), or of every probe of a standalone tracepoint.
 *
 * @param pod the pod's name, {@link #OTHER} for the pods summed beyond the bound ({@link
 *     PodSeries}), or null outside Kubernetes
 * @param counters cumulative counters: they never go backwards
 */
public record PodCounters(String pod, ProbeCounters counters) {

  /** The {@code pod} label value of the pods past {@link PodSeries#MAX_PODS}. */
  public static final String OTHER = "other";

  public PodCounters {
    if (counters == null) throw new IllegalArgumentException("pod counters need counters");
  }

  /** Every pod's counters added up; {@code none} when the list is empty. */
  public static ProbeCounters total(List<PodCounters> pods, ProbeCounters none) {
    ProbeCounters sum = null;
    for (PodCounters p : pods) sum = ProbeCounters.sum(sum, p.counters());
    return sum == null ? none : sum;
  }
}
