package dev.dynlog.operator.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.api.v1alpha1.AssignedPod;
import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.SpecProblem;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.api.v1alpha1.TracepointStatus;
import dev.dynlog.operator.k8s.EventRecorder;
import dev.dynlog.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a {@link Tracepoint}: validates it, enforces its ttl, keeps exactly one {@link
 * TracepointAssignment} per node that runs a probeable selected pod (server-side apply,
 * deterministic names), and aggregates the agents' reports into the status. Pods and assignments
 * are secondary resources, so pod and agent changes trigger a reconcile. The spec is never written.
 * A finalizer makes deletion remove every assignment first.
 */
@ControllerConfiguration(name = TracepointReconciler.NAME)
public class TracepointReconciler implements Reconciler<Tracepoint>, Cleaner<Tracepoint> {

  /** Controller name (also JOSDK's metrics tag). */
  public static final String NAME = "tracepoint";

  /** Field manager of the operator's server-side applies. */
  public static final String FIELD_MANAGER = "dynlog-operator";

  /** The custom resources the reconciler reads and writes (their CRDs must be installed). */
  public static final List<Class<? extends HasMetadata>> CUSTOM_RESOURCES =
      List.of(Tracepoint.class, TracepointAssignment.class);

  private static final Logger LOG = LoggerFactory.getLogger(TracepointReconciler.class);
  private static final String POD_UID_INDEX = "podUid";
  private static final Duration EXPIRY_SLACK = Duration.ofMillis(200);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final Clock clock;
  private InformerEventSource<Pod, Tracepoint> pods;
  private InformerEventSource<TracepointAssignment, Tracepoint> assignments;

  public TracepointReconciler(KubernetesClient client, OperatorMetrics metrics, Clock clock) {
    this.events = new EventRecorder(client, FIELD_MANAGER);
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, Tracepoint>> prepareEventSources(
      EventSourceContext<Tracepoint> context) {
    assignments =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(TracepointAssignment.class, Tracepoint.class)
                .withName("assignments")
                .build(),
            context);
    assignments.addIndexers(
        Map.of(
            POD_UID_INDEX,
            a ->
                a.getSpec() == null || a.getSpec().getPods() == null
                    ? List.of()
                    : a.getSpec().getPods().stream().map(AssignedPod::getUid).toList()));
    IndexerResourceCache<Tracepoint> tracepoints = context.getPrimaryCache();
    pods =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, Tracepoint.class)
                .withName("pods")
                .withSecondaryToPrimaryMapper(pod -> tracepointsAffectedBy(pod, tracepoints))
                .build(),
            context);
    return List.of(assignments, pods);
  }

  /**
   * Tracepoints that select the pod now, plus those whose assignments list it (it may have stopped
   * matching, been deleted or moved).
   */
  private Set<ResourceID> tracepointsAffectedBy(
      Pod pod, IndexerResourceCache<Tracepoint> tracepoints) {
    String namespace = pod.getMetadata().getNamespace();
    Set<ResourceID> ids =
        tracepoints
            .list(namespace, tp -> AssignmentPlanner.selects(tp, pod))
            .map(ResourceID::fromResource)
            .collect(Collectors.toCollection(HashSet::new));
    for (TracepointAssignment a : assignments.byIndex(POD_UID_INDEX, pod.getMetadata().getUid())) {
      ids.add(new ResourceID(a.getSpec().getTracepoint(), a.getMetadata().getNamespace()));
    }
    return ids;
  }

  @Override
  public UpdateControl<Tracepoint> reconcile(Tracepoint tp, Context<Tracepoint> context) {
    KubernetesClient client = context.getClient();
    Instant now = clock.instant();
    TtlWindow window = TtlWindow.of(tp, now);
    List<SpecProblem> problems = SpecValidator.validate(tp.getSpec());
    boolean expired = window.expiredAt(now);
    List<TracepointAssignment> existing =
        new ArrayList<>(context.getSecondaryResources(TracepointAssignment.class));
    List<PlannedPod> planned =
        problems.isEmpty()
            ? AssignmentPlanner.probeablePods(
                tp,
                pods.list(
                        tp.getMetadata().getNamespace(), pod -> AssignmentPlanner.selects(tp, pod))
                    .toList())
            : List.of();

    PodTally tally;
    if (!problems.isEmpty() || expired) {
      deleteAll(client, tp, existing);
      tally = new PodTally(planned.size(), 0, 0, List.of(), 0);
    } else {
      Map<String, TracepointAssignment> desired =
          AssignmentPlanner.desiredAssignments(tp, planned, window.expiresAt());
      Map<String, TracepointAssignment> current = new HashMap<>();
      Set<String> written = sync(client, tp, desired, existing, current);
      tally = StatusAggregator.tally(planned, current, written);
    }

    TracepointStatus previous = tp.getStatus();
    TracepointStatus status =
        StatusBuilder.build(
            previous,
            tp.getMetadata().getGeneration(),
            new Outcome(problems, expired, window, tally),
            now);
    recordTransitions(tp, previous, status, problems);
    metrics.phase(key(tp), status.getPhase());

    UpdateControl<Tracepoint> control;
    if (sameJson(previous, status)) {
      control = UpdateControl.noUpdate();
    } else {
      tp.setStatus(status);
      control = UpdateControl.patchStatus(tp);
    }
    if (problems.isEmpty() && !expired) {
      control.rescheduleAfter(Duration.between(now, window.expiresAt()).plus(EXPIRY_SLACK));
    }
    return control;
  }

  /** Shows why reconciling fails (e.g. a missing permission) in the Ready condition; retries. */
  @Override
  public ErrorStatusUpdateControl<Tracepoint> updateErrorStatus(
      Tracepoint tp, Context<Tracepoint> context, Exception e) {
    LOG.warn("{}: reconcile failed: {}", key(tp), e.getMessage());
    tp.setStatus(
        StatusBuilder.withReconcileError(
            tp.getStatus(), tp.getMetadata().getGeneration(), e.getMessage(), clock.instant()));
    return ErrorStatusUpdateControl.patchStatus(tp);
  }

  @Override
  public DeleteControl cleanup(Tracepoint tp, Context<Tracepoint> context) {
    KubernetesClient client = context.getClient();
    client
        .resources(TracepointAssignment.class)
        .inNamespace(tp.getMetadata().getNamespace())
        .withLabel(TracepointAssignment.TRACEPOINT_LABEL, tp.getMetadata().getName())
        .delete();
    for (TracepointAssignment a : context.getSecondaryResources(TracepointAssignment.class)) {
      client.resource(a).delete();
    }
    metrics.forget(key(tp));
    return DeleteControl.defaultDelete();
  }

  /**
   * Applies every desired assignment that differs from what exists and deletes the rest.
   *
   * @param current filled with the assignment per node after this pass
   * @return nodes whose assignment was (re)written
   */
  private Set<String> sync(
      KubernetesClient client,
      Tracepoint tp,
      Map<String, TracepointAssignment> desired,
      List<TracepointAssignment> existing,
      Map<String, TracepointAssignment> current) {
    ResourceID primary = ResourceID.fromResource(tp);
    Set<String> desiredNames =
        desired.values().stream().map(a -> a.getMetadata().getName()).collect(Collectors.toSet());
    Map<String, TracepointAssignment> existingByName = new HashMap<>();
    int deleted = 0;
    for (TracepointAssignment a : existing) {
      if (desiredNames.contains(a.getMetadata().getName())) {
        existingByName.put(a.getMetadata().getName(), a);
      } else {
        client.resource(a).delete();
        deleted++;
      }
    }
    metrics.deleted(deleted);
    Set<String> written = new HashSet<>();
    desired.forEach(
        (node, want) -> {
          TracepointAssignment have = existingByName.get(want.getMetadata().getName());
          if (have != null && upToDate(have, want)) {
            current.put(node, have);
            return;
          }
          TracepointAssignment applied =
              client.resource(want).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
          metrics.applied();
          if (have == null) {
            assignments.handleRecentResourceCreate(primary, applied);
          } else {
            assignments.handleRecentResourceUpdate(primary, applied, have);
          }
          current.put(node, applied);
          written.add(node);
        });
    if (deleted > 0 || !written.isEmpty()) {
      LOG.debug("{}: applied {} and deleted {} assignments", key(tp), written.size(), deleted);
    }
    return written;
  }

  private void deleteAll(
      KubernetesClient client, Tracepoint tp, List<TracepointAssignment> existing) {
    if (existing.isEmpty()) {
      return;
    }
    client
        .resources(TracepointAssignment.class)
        .inNamespace(tp.getMetadata().getNamespace())
        .withLabel(TracepointAssignment.TRACEPOINT_LABEL, tp.getMetadata().getName())
        .delete();
    metrics.deleted(existing.size());
  }

  private static boolean upToDate(TracepointAssignment have, TracepointAssignment want) {
    Map<String, String> labels =
        have.getMetadata().getLabels() == null ? Map.of() : have.getMetadata().getLabels();
    OwnerReference owner = want.getMetadata().getOwnerReferences().get(0);
    return sameJson(have.getSpec(), want.getSpec())
        && labels.entrySet().containsAll(want.getMetadata().getLabels().entrySet())
        && have.getMetadata().getOwnerReferences() != null
        && have.getMetadata().getOwnerReferences().stream()
            .anyMatch(
                o ->
                    Objects.equals(o.getUid(), owner.getUid())
                        && Boolean.TRUE.equals(o.getController()));
  }

  /** Kubernetes Events for what a person wants to hear about. */
  private void recordTransitions(
      Tracepoint tp,
      TracepointStatus previous,
      TracepointStatus status,
      List<SpecProblem> problems) {
    Phase before = previous == null ? null : previous.getPhase();
    Phase after = status.getPhase();
    if (!problems.isEmpty()) {
      String message = condition(status, StatusBuilder.VALID).getMessage();
      Condition old = previous == null ? null : condition(previous, StatusBuilder.VALID);
      if (old == null || !Objects.equals(old.getMessage(), message)) {
        event(tp, EventRecorder.WARNING, problems.get(0).reason(), message);
      }
      return;
    }
    if (after == before) {
      return;
    }
    if (before == Phase.Expired) {
      event(
          tp,
          EventRecorder.NORMAL,
          "Renewed",
          "spec changed; probes re-attach until " + status.getExpiresAt());
    }
    switch (after) {
      case Expired ->
          event(
              tp,
              EventRecorder.NORMAL,
              "Expired",
              condition(status, StatusBuilder.EXPIRED).getMessage());
      case Active ->
          event(
              tp,
              EventRecorder.NORMAL,
              "Attached",
              "probe attached in all " + status.getAttachedPods() + " selected pods");
      case Degraded ->
          event(
              tp,
              EventRecorder.WARNING,
              degradedReason(status),
              status.getFailedPods()
                  + " of "
                  + status.getDesiredPods()
                  + " pods failed; first: "
                  + status.getPods().get(0).getPod()
                  + ": "
                  + status.getPods().get(0).getMessage());
      default -> {
        // Pending, NoTargets: no event; Invalid is reported above
      }
    }
  }

  /**
   * The reason of a Degraded event: the first failed pod's own reason when its agent gave one (e.g.
   * {@code CpuBudgetExceeded}), else {@code AttachFailed}.
   */
  static String degradedReason(TracepointStatus status) {
    String reason = status.getPods().isEmpty() ? null : status.getPods().get(0).getReason();
    return reason == null || reason.isBlank() ? "AttachFailed" : reason;
  }

  private void event(Tracepoint tp, String type, String reason, String message) {
    events.record(tp, type, reason, message);
    metrics.event(type);
  }

  private static Condition condition(TracepointStatus status, String type) {
    return status.getConditions() == null
        ? null
        : status.getConditions().stream()
            .filter(c -> type.equals(c.getType()))
            .findFirst()
            .orElse(null);
  }

  private static boolean sameJson(Object a, Object b) {
    return JSON.valueToTree(a).equals(JSON.valueToTree(b));
  }

  private static String key(Tracepoint tp) {
    return tp.getMetadata().getNamespace() + "/" + tp.getMetadata().getName();
  }
}
