package dev.dynlog.operator.reconcile;

import dev.dynlog.api.v1alpha1.PodReport;
import java.util.List;

/**
 * Pod counts and the bounded per-pod list of a Tracepoint.
 *
 * @param desired probeable pods selected
 * @param attached pods whose agent reports Attached for the current assignment generation
 * @param failed pods whose agent reports Failed for the current assignment generation
 * @param reports per-pod entries, failed first, capped
 * @param omitted pods left out of {@code reports}
 */
public record PodTally(
    int desired, int attached, int failed, List<PodReport> reports, int omitted) {

  public PodTally {
    reports = List.copyOf(reports);
  }
}
