package dev.dynlog.operator.reconcile;

import dev.dynlog.api.v1alpha1.PodProbeStatus;
import dev.dynlog.api.v1alpha1.PodReport;
import dev.dynlog.api.v1alpha1.PodState;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.api.v1alpha1.TracepointStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Folds the node agents' reports (assignment statuses) into pod counts. A report counts only when
 * the agent has observed the assignment's current generation; otherwise the pod is Pending.
 */
public final class StatusAggregator {

  private StatusAggregator() {}

  /**
   * @param pods the probeable pods
   * @param assignmentsByNode the assignments as last seen, by node
   * @param rewrittenNodes nodes whose assignment was written in this pass (their reports are old)
   */
  public static PodTally tally(
      List<PlannedPod> pods,
      Map<String, TracepointAssignment> assignmentsByNode,
      Set<String> rewrittenNodes) {
    Map<String, PodProbeStatus> reportsByUid = new HashMap<>();
    assignmentsByNode.forEach(
        (node, a) -> {
          if (!rewrittenNodes.contains(node)
              && a.getStatus() != null
              && a.getStatus().getPods() != null
              && Objects.equals(
                  a.getStatus().getObservedGeneration(), a.getMetadata().getGeneration())) {
            a.getStatus().getPods().forEach(p -> reportsByUid.put(p.getUid(), p));
          }
        });
    int attached = 0;
    int failed = 0;
    List<PodReport> reports = new ArrayList<>();
    for (PlannedPod pod : pods) {
      PodProbeStatus report = reportsByUid.get(pod.uid());
      PodState state =
          report == null || report.getState() == null ? PodState.Pending : report.getState();
      String message = report == null ? "waiting for the node agent" : report.getMessage();
      if (state == PodState.Attached) {
        attached++;
      } else if (state == PodState.Failed) {
        failed++;
      }
      String reason = report == null ? null : report.getReason();
      reports.add(new PodReport(pod.name(), pod.node(), state, message, reason));
    }
    reports.sort(
        Comparator.comparingInt((PodReport r) -> listOrder(r.getState()))
            .thenComparing(PodReport::getNode)
            .thenComparing(PodReport::getPod));
    int cap = TracepointStatus.MAX_POD_REPORTS;
    int omitted = Math.max(0, reports.size() - cap);
    return new PodTally(
        pods.size(), attached, failed, reports.subList(0, Math.min(cap, reports.size())), omitted);
  }

  private static int listOrder(PodState state) {
    return switch (state) {
      case Failed -> 0;
      case Pending -> 1;
      case Attached -> 2;
    };
  }
}
