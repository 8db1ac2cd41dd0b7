package dev.dynlog.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.PodProbeStatus;
import dev.dynlog.api.v1alpha1.PodReport;
import dev.dynlog.api.v1alpha1.PodState;
import dev.dynlog.api.v1alpha1.SpecProblem;
import dev.dynlog.api.v1alpha1.Target;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.api.v1alpha1.TracepointAssignmentStatus;
import dev.dynlog.api.v1alpha1.TracepointSpec;
import dev.dynlog.api.v1alpha1.TracepointStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Planning, tallying, ttl windows and status building without a server. */
class PlanningTest {

  @Test
  void selectsOnlyRunningScheduledPodsWithTheTargetContainer() {
    Tracepoint tp = tracepoint("app");
    List<Pod> pods =
        List.of(
            pod("a", "n1", "Running", Map.of("app", "web"), "app", "containerd://1"),
            pod("b", "n1", "Pending", Map.of("app", "web"), "app", "containerd://2"),
            pod("c", null, "Running", Map.of("app", "web"), "app", "containerd://3"),
            pod("d", "n2", "Running", Map.of("app", "db"), "app", "containerd://4"),
            pod("e", "n2", "Running", Map.of("app", "web"), "sidecar", "containerd://5"),
            pod("f", "n0", "Running", Map.of("app", "web"), "app", null));
    List<PlannedPod> planned = AssignmentPlanner.probeablePods(tp, pods);
    assertEquals(
        List.of(
            new PlannedPod(
                "a", "uid-a", "n1", List.of("containerd://1"), Map.of("containerd://1", "app"))),
        planned);
  }

  @Test
  void groupsPodsByNodeUnderDeterministicNames() {
    Tracepoint tp = tracepoint(null);
    List<PlannedPod> pods =
        List.of(
            new PlannedPod("a", "ua", "n1", List.of("x")),
            new PlannedPod("b", "ub", "n2", List.of("y")),
            new PlannedPod("c", "uc", "n1", List.of("z")));
    Map<String, TracepointAssignment> desired =
        AssignmentPlanner.desiredAssignments(tp, pods, Instant.parse("2030-01-01T00:00:00Z"));
    assertEquals(List.of("n1", "n2"), List.copyOf(desired.keySet()));
    TracepointAssignment n1 = desired.get("n1");
    assertEquals(AssignmentNames.of("tp", "n1"), n1.getMetadata().getName());
    assertEquals(List.of("a", "c"), n1.getSpec().getPods().stream().map(p -> p.getName()).toList());
    assertEquals("n1", n1.getMetadata().getLabels().get(TracepointAssignment.NODE_LABEL));
    assertEquals("2030-01-01T00:00:00Z", n1.getSpec().getExpiresAt());

    String longNode = "n".repeat(64);
    TracepointAssignment far =
        AssignmentPlanner.desiredAssignments(
                tp, List.of(new PlannedPod("x", "ux", longNode, List.of("c"))), Instant.EPOCH)
            .get(longNode);
    assertEquals(
        Map.of(TracepointAssignment.TRACEPOINT_LABEL, "tp"),
        far.getMetadata().getLabels(),
        "no invalid node label");
    assertEquals(longNode, far.getSpec().getNodeName());
  }

  @Test
  void namesAreStableDistinctAndValid() {
    assertEquals(AssignmentNames.of("tp", "node-1"), AssignmentNames.of("tp", "node-1"));
    assertNotEquals(AssignmentNames.of("a.b", "c"), AssignmentNames.of("a", "b.c"));
    assertTrue(AssignmentNames.of("tp", "node-1").startsWith("tp-node-1-"));
    String longName = AssignmentNames.of("t".repeat(63), "n".repeat(180) + "." + "m".repeat(60));
    assertTrue(longName.length() <= 253, longName);
    assertTrue(longName.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?"), longName);
  }

  @Test
  void tallyCountsOnlyReportsForTheCurrentGeneration() {
    List<PlannedPod> pods =
        List.of(
            new PlannedPod("a", "ua", "n1", List.of("x")),
            new PlannedPod("b", "ub", "n1", List.of("y")),
            new PlannedPod("c", "uc", "n2", List.of("z")),
            new PlannedPod("d", "ud", "n3", List.of("w")));
    TracepointAssignment n1 =
        reported(
            2L,
            2L,
            new PodProbeStatus("a", "ua", PodState.Attached, "ok"),
            new PodProbeStatus("b", "ub", PodState.Failed, "no symbol"));
    TracepointAssignment n2 =
        reported(3L, 2L, new PodProbeStatus("c", "uc", PodState.Attached, "ok"));
    TracepointAssignment n3 =
        reported(1L, 1L, new PodProbeStatus("d", "ud", PodState.Attached, "ok"));
    PodTally tally =
        StatusAggregator.tally(pods, Map.of("n1", n1, "n2", n2, "n3", n3), Set.of("n3"));
    assertEquals(4, tally.desired());
    assertEquals(1, tally.attached(), "n2 is a generation behind, n3 was just rewritten");
    assertEquals(1, tally.failed());
    assertEquals(
        List.of("b", "c", "d", "a"),
        tally.reports().stream().map(PodReport::getPod).toList(),
        "failed, then pending, then attached");
    assertEquals("no symbol", tally.reports().get(0).getMessage());
  }

  @Test
  void podListIsCappedAndCountsWhatItLeavesOut() {
    List<PlannedPod> pods = new ArrayList<>();
    IntStream.range(0, TracepointStatus.MAX_POD_REPORTS + 7)
        .forEach(i -> pods.add(new PlannedPod("p" + i, "u" + i, "n", List.of("c"))));
    PodTally tally = StatusAggregator.tally(pods, Map.of(), Set.of());
    assertEquals(TracepointStatus.MAX_POD_REPORTS, tally.reports().size());
    assertEquals(7, tally.omitted());
    assertEquals(pods.size(), tally.desired());
  }

  @Test
  void ttlCountsFromCreationThenFromEachNewGeneration() {
    Tracepoint tp = tracepoint(null);
    tp.getSpec().setTtl("10m");
    tp.getMetadata().setCreationTimestamp("2030-01-01T00:00:00Z");
    tp.getMetadata().setGeneration(1L);
    Instant now = Instant.parse("2030-01-01T00:03:00.700Z");
    TtlWindow first = TtlWindow.of(tp, now);
    assertEquals(Instant.parse("2030-01-01T00:10:00Z"), first.expiresAt());
    assertTrue(!first.expiredAt(now));
    assertTrue(first.expiredAt(Instant.parse("2030-01-01T00:10:00Z")));

    TracepointStatus status = new TracepointStatus();
    status.setObservedGeneration(1L);
    status.setSpecChangedAt("2030-01-01T00:00:00Z");
    tp.setStatus(status);
    tp.getMetadata().setGeneration(2L);
    TtlWindow renewed = TtlWindow.of(tp, now);
    assertEquals(Instant.parse("2030-01-01T00:03:00Z"), renewed.specChangedAt());
    assertEquals(Duration.ofMinutes(10), renewed.ttl());
  }

  @Test
  void statusKeepsTransitionTimesWhileConditionsHold() {
    TtlWindow window =
        new TtlWindow(
            Instant.parse("2030-01-01T00:00:00Z"),
            Duration.ofHours(1),
            Instant.parse("2030-01-01T01:00:00Z"));
    PodTally pods = new PodTally(2, 2, 0, List.of(), 0);
    Instant t1 = Instant.parse("2030-01-01T00:01:00Z");
    TracepointStatus s1 =
        StatusBuilder.build(null, 1, new Outcome(List.of(), false, window, pods), t1);
    assertEquals(Phase.Active, s1.getPhase());
    TracepointStatus s2 =
        StatusBuilder.build(
            s1,
            1,
            new Outcome(
                List.of(),
                false,
                window,
                new PodTally(2, 1, 1, List.of(new PodReport("b", "n", PodState.Failed, "x")), 0)),
            Instant.parse("2030-01-01T00:02:00Z"));
    assertEquals(Phase.Degraded, s2.getPhase());
    assertEquals("2030-01-01T00:01:00Z", condition(s2, "Valid").getLastTransitionTime());
    assertEquals("2030-01-01T00:02:00Z", condition(s2, "Ready").getLastTransitionTime());
    TracepointStatus s3 =
        StatusBuilder.build(
            s2,
            2,
            new Outcome(
                List.of(
                    new SpecProblem("InvalidCaptureExpression", "m1"),
                    new SpecProblem("InvalidProcessName", "m2")),
                false,
                window,
                pods),
            Instant.parse("2030-01-01T00:03:00Z"));
    assertEquals(Phase.Invalid, s3.getPhase());
    assertEquals("m1; m2", condition(s3, "Valid").getMessage());
    assertEquals("InvalidCaptureExpression", condition(s3, "Valid").getReason());
    assertEquals(0, s3.getAttachedPods());
    TracepointStatus s4 =
        StatusBuilder.build(
            s3,
            2,
            new Outcome(List.of(), true, window, pods),
            Instant.parse("2030-01-01T01:00:00Z"));
    assertEquals(Phase.Expired, s4.getPhase());
    assertEquals(
        "ttl 1h elapsed at 2030-01-01T01:00:00Z; change the spec to renew",
        condition(s4, "Expired").getMessage());
  }

  @Test
  void reconcileErrorsReplaceOnlyTheReadyCondition() {
    TtlWindow window =
        new TtlWindow(
            Instant.parse("2030-01-01T00:00:00Z"),
            Duration.ofHours(1),
            Instant.parse("2030-01-01T01:00:00Z"));
    TracepointStatus ok =
        StatusBuilder.build(
            null,
            1,
            new Outcome(List.of(), false, window, new PodTally(1, 1, 0, List.of(), 0)),
            Instant.parse("2030-01-01T00:01:00Z"));
    TracepointStatus failed =
        StatusBuilder.withReconcileError(
            ok, 1, "forbidden: x".repeat(200), Instant.parse("2030-01-01T00:02:00Z"));
    assertEquals(Phase.Active, failed.getPhase());
    assertEquals(
        List.of("Valid", "Expired", "Ready"),
        failed.getConditions().stream().map(c -> c.getType()).toList());
    assertEquals("ReconcileError", condition(failed, "Ready").getReason());
    assertEquals("False", condition(failed, "Ready").getStatus());
    assertEquals(1024, condition(failed, "Ready").getMessage().length());
    assertEquals("2030-01-01T00:02:00Z", condition(failed, "Ready").getLastTransitionTime());
  }

  @Test
  void validatorReportsEveryProblemWithItsField() {
    Tracepoint tp = tracepoint(null);
    tp.getSpec().setCapture(List.of(new Capture("ok", "a.b"), new Capture("bad", "len(x")));
    tp.getSpec().getTarget().setProcessName("(");
    tp.getSpec().setTtl("3s");
    List<SpecProblem> problems = SpecValidator.validate(tp.getSpec());
    assertEquals(
        List.of(
            SpecValidator.INVALID_PROCESS_NAME,
            SpecValidator.INVALID_CAPTURE_EXPRESSION,
            SpecValidator.INVALID_TTL),
        problems.stream().map(SpecProblem::reason).toList());
    assertEquals(
        "spec.capture[1] (bad): expected ')' but the expression ended at column 6 of " + "'len(x'",
        problems.get(1).message());
    assertEquals(List.of(), SpecValidator.validate(tracepoint("app").getSpec()));
  }

  private static Condition condition(TracepointStatus s, String type) {
    return s.getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  private static TracepointAssignment reported(
      long generation, long observed, PodProbeStatus... pods) {
    TracepointAssignment a = new TracepointAssignment();
    a.setMetadata(new ObjectMetaBuilder().withName("x").withGeneration(generation).build());
    TracepointAssignmentStatus status = new TracepointAssignmentStatus();
    status.setObservedGeneration(observed);
    status.setPods(List.of(pods));
    a.setStatus(status);
    return a;
  }

  private static Tracepoint tracepoint(String container) {
    Tracepoint tp = new Tracepoint();
    tp.setMetadata(
        new ObjectMetaBuilder()
            .withName("tp")
            .withNamespace("ns")
            .withUid("tp-uid")
            .withGeneration(1L)
            .build());
    TracepointSpec spec = new TracepointSpec();
    Target target = new Target();
    target.setSelector(new LabelSelectorBuilder().addToMatchLabels("app", "web").build());
    target.setContainer(container);
    spec.setTarget(target);
    spec.setFunction("main.Handle");
    tp.setSpec(spec);
    return tp;
  }

  private static Pod pod(
      String name,
      String node,
      String phase,
      Map<String, String> labels,
      String container,
      String containerId) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("ns")
        .withUid("uid-" + name)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .withContainerStatuses(
            new ContainerStatusBuilder().withName(container).withContainerID(containerId).build())
        .endStatus()
        .build();
  }
}
