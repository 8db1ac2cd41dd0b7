package dev.dynlog.operator.reconcile;

import dev.dynlog.api.v1alpha1.AssignedPod;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import dev.dynlog.api.v1alpha1.Target;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.api.v1alpha1.TracepointAssignmentSpec;
import dev.dynlog.operator.k8s.LabelSelectors;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Pure planning: which pods a Tracepoint selects, and the assignment each node must have. No I/O.
 */
public final class AssignmentPlanner {

  private static final int MAX_LABEL_VALUE = 63;

  private AssignmentPlanner() {}

  /** True when the pod could be selected by the Tracepoint (same namespace, labels match). */
  public static boolean selects(Tracepoint tp, Pod pod) {
    return Objects.equals(tp.getMetadata().getNamespace(), pod.getMetadata().getNamespace())
        && tp.getSpec() != null
        && tp.getSpec().getTarget() != null
        && LabelSelectors.matches(
            tp.getSpec().getTarget().getSelector(), pod.getMetadata().getLabels());
  }

  /**
   * The selected pods that can be probed now: scheduled, Running, not being deleted, with a started
   * target container. Sorted by node, then name.
   */
  public static List<PlannedPod> probeablePods(Tracepoint tp, List<Pod> candidates) {
    Target target = tp.getSpec().getTarget();
    List<PlannedPod> pods = new ArrayList<>();
    for (Pod pod : candidates) {
      if (!selects(tp, pod)
          || pod.getMetadata().getDeletionTimestamp() != null
          || pod.getSpec() == null
          || pod.getSpec().getNodeName() == null
          || pod.getStatus() == null
          || !"Running".equals(pod.getStatus().getPhase())) {
        continue;
      }
      List<ContainerStatus> statuses =
          pod.getStatus().getContainerStatuses() == null
              ? List.of()
              : pod.getStatus().getContainerStatuses();
      List<ContainerStatus> probed =
          statuses.stream()
              .filter(
                  s -> target.getContainer() == null || target.getContainer().equals(s.getName()))
              .filter(s -> s.getContainerID() != null && !s.getContainerID().isEmpty())
              .toList();
      List<String> ids = probed.stream().map(ContainerStatus::getContainerID).sorted().toList();
      Map<String, String> names = new TreeMap<>();
      for (ContainerStatus s : probed) names.put(s.getContainerID(), s.getName());
      if (!ids.isEmpty()) {
        pods.add(
            new PlannedPod(
                pod.getMetadata().getName(),
                pod.getMetadata().getUid(),
                pod.getSpec().getNodeName(),
                ids,
                names));
      }
    }
    pods.sort(Comparator.comparing(PlannedPod::node).thenComparing(PlannedPod::name));
    return pods;
  }

  /** The assignment every node with probeable pods must have, keyed and sorted by node. */
  public static Map<String, TracepointAssignment> desiredAssignments(
      Tracepoint tp, List<PlannedPod> pods, Instant expiresAt) {
    Map<String, List<PlannedPod>> byNode =
        pods.stream()
            .collect(Collectors.groupingBy(PlannedPod::node, TreeMap::new, Collectors.toList()));
    Map<String, TracepointAssignment> desired = new TreeMap<>();
    ProbeSpec probe = ProbeSpec.of(tp.getSpec());
    byNode.forEach(
        (node, nodePods) -> desired.put(node, assignment(tp, node, nodePods, probe, expiresAt)));
    return desired;
  }

  private static TracepointAssignment assignment(
      Tracepoint tp, String node, List<PlannedPod> pods, ProbeSpec probe, Instant expiresAt) {
    TracepointAssignment a = new TracepointAssignment();
    Map<String, String> labels = new TreeMap<>();
    labels.put(TracepointAssignment.TRACEPOINT_LABEL, tp.getMetadata().getName());
    if (node.length() <= MAX_LABEL_VALUE) {
      // Longer node names cannot be label values; agents find those by field spec.nodeName.
      labels.put(TracepointAssignment.NODE_LABEL, node);
    }
    a.setMetadata(
        new ObjectMetaBuilder()
            .withName(AssignmentNames.of(tp.getMetadata().getName(), node))
            .withNamespace(tp.getMetadata().getNamespace())
            .withLabels(labels)
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion(tp.getApiVersion())
                    .withKind(tp.getKind())
                    .withName(tp.getMetadata().getName())
                    .withUid(tp.getMetadata().getUid())
                    .withController(true)
                    .build())
            .build());
    TracepointAssignmentSpec spec = new TracepointAssignmentSpec();
    spec.setTracepoint(tp.getMetadata().getName());
    spec.setTracepointGeneration(tp.getMetadata().getGeneration());
    spec.setNodeName(node);
    spec.setExpiresAt(expiresAt.toString());
    spec.setProbe(probe);
    spec.setPods(
        pods.stream()
            .map(
                p -> {
                  AssignedPod assigned = new AssignedPod(p.name(), p.uid(), p.containerIDs());
                  assigned.setContainerNames(new TreeMap<>(p.containerNames()));
                  return assigned;
                })
            .toList());
    a.setSpec(spec);
    return a;
  }
}
