package dev.dynlog.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.api.v1alpha1.AssignedPod;
import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.PodProbeStatus;
import dev.dynlog.api.v1alpha1.PodReport;
import dev.dynlog.api.v1alpha1.PodState;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.api.v1alpha1.TracepointAssignmentStatus;
import dev.dynlog.operator.testing.ApiServerTest;
import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A Tracepoint reaches only pods of its own namespace, whatever its spec says: with the real
 * operator on the real API server, Tracepoints in namespace A try to select the pods of B and C
 * (which carry the same labels and containers, on the same nodes) through every field of {@code
 * spec.target} and through a name that B uses too; their assignments list A's pods only, and
 * reports an agent writes about other namespaces' pods never reach their status.
 */
@Tag("apiserver")
@ApiServerTest(identity = "isolation", lease = "isolation-lease")
class NamespaceIsolationTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NODE_1 = "iso-1";
  private static final String NODE_2 = "iso-2";

  @ApiServerTest.Inject private static KubernetesClient client;
  @ApiServerTest.Inject private static Fixtures fx;

  private static String teamA;
  private static String teamB;
  private static String teamC;
  private static Pod webA;
  private static Pod webB1;
  private static Pod webB2;

  @BeforeAll
  static void podsWithTheSameLabelsInThreeNamespaces() {
    teamA = fx.namespace("iso-a");
    teamB = fx.namespace("iso-b");
    teamC = fx.namespace("iso-c");
    fx.node(NODE_1);
    fx.node(NODE_2);
    Map<String, String> labels = Map.of("app", "web", "tier", "front");
    webA = fx.runningPod(teamA, "web", NODE_1, labels);
    webB1 = fx.runningPod(teamB, "web", NODE_1, labels);
    webB2 = fx.runningPod(teamB, "web-2", NODE_2, labels);
    fx.runningPod(teamC, "web", NODE_2, labels);
  }

  @Test
  void everySelectorReachesOnlyTheTracepointsNamespace() {
    List<Tracepoint> attempts = new ArrayList<>();
    attempts.add(Fixtures.tracepoint(teamA, "match-labels", "web"));
    attempts.add(
        withSelector(
            "match-expressions",
            new LabelSelectorBuilder()
                .addNewMatchExpression()
                .withKey("app")
                .withOperator("In")
                .withValues("web", "api")
                .endMatchExpression()
                .addNewMatchExpression()
                .withKey("tier")
                .withOperator("Exists")
                .endMatchExpression()
                .build()));
    // NotIn and DoesNotExist match every pod that lacks the key or value: the broadest selectors.
    attempts.add(
        withSelector(
            "not-in",
            new LabelSelectorBuilder()
                .addNewMatchExpression()
                .withKey("app")
                .withOperator("NotIn")
                .withValues("nothing")
                .endMatchExpression()
                .build()));
    attempts.add(
        withSelector(
            "does-not-exist",
            new LabelSelectorBuilder()
                .addNewMatchExpression()
                .withKey("no-such-label")
                .withOperator("DoesNotExist")
                .endMatchExpression()
                .build()));
    Tracepoint sidecar = Fixtures.tracepoint(teamA, "container", "web");
    sidecar.getSpec().getTarget().setContainer("sidecar");
    attempts.add(sidecar);
    Tracepoint process = Fixtures.tracepoint(teamA, "process-name", "web");
    process.getSpec().getTarget().setProcessName(".*");
    process.getSpec().getTarget().setContainer(null);
    attempts.add(process);
    // The same name as a Tracepoint in B, created there first.
    fx.create(Fixtures.tracepoint(teamB, "shared", "web"));
    attempts.add(Fixtures.tracepoint(teamA, "shared", "web"));
    attempts.forEach(fx::create);

    for (Tracepoint tp : attempts) {
      String name = tp.getMetadata().getName();
      List<TracepointAssignment> assignments =
          Await.until(
              "the assignment of " + name,
              WAIT,
              () -> fx.assignments(teamA, name),
              list -> list.size() == 1);
      assertEquals(
          Set.of(webA.getMetadata().getUid()),
          uids(assignments),
          name + " assigns A's pod only: " + assignments);
      assertEquals(NODE_1, assignments.get(0).getSpec().getNodeName(), name);
      Tracepoint status = fx.awaitPhase(teamA, name, Phase.Pending);
      assertEquals(1, status.getStatus().getDesiredPods(), name);
      assertEquals(List.of("web"), podNames(status), name);
    }

    // B's namesake has B's two pods, on both nodes; deleting it leaves A's alone.
    List<TracepointAssignment> theirs =
        Await.until(
            "B's assignments", WAIT, () -> fx.assignments(teamB, "shared"), l -> l.size() == 2);
    assertEquals(Set.of(webB1.getMetadata().getUid(), webB2.getMetadata().getUid()), uids(theirs));
    client.resources(Tracepoint.class).inNamespace(teamB).withName("shared").delete();
    Await.until("B's assignments deleted", WAIT, () -> fx.assignments(teamB), List::isEmpty);
    assertEquals(Set.of(webA.getMetadata().getUid()), uids(fx.assignments(teamA, "shared")));

    // No Tracepoint in A made anything in B or C.
    assertTrue(fx.assignments(teamC).isEmpty());
  }

  @Test
  void theNamespacesOwnLabelSelectsNoPodOfThatNamespace() {
    Tracepoint tp =
        withSelector(
            "namespace-label",
            new LabelSelectorBuilder()
                .addToMatchLabels("kubernetes.io/metadata.name", teamB)
                .build());
    fx.create(tp);
    fx.awaitPhase(teamA, "namespace-label", Phase.NoTargets);
    assertTrue(fx.assignments(teamA, "namespace-label").isEmpty());
  }

  @Test
  void anEmptySelectorIsRejectedByTheApiServer() {
    for (LabelSelector empty :
        List.of(
            new LabelSelector(),
            new LabelSelectorBuilder().withMatchLabels(Map.of()).withMatchExpressions().build())) {
      KubernetesClientException rejected =
          assertThrows(
              KubernetesClientException.class, () -> fx.create(withSelector("empty", empty)));
      assertEquals(422, rejected.getCode(), rejected.getMessage());
    }
  }

  @Test
  void agentReportsAboutOtherNamespacesPodsNeverReachTheStatus() {
    fx.create(Fixtures.tracepoint(teamA, "reports", "web"));
    TracepointAssignment assignment =
        Await.until(
                "the assignment", WAIT, () -> fx.assignments(teamA, "reports"), l -> l.size() == 1)
            .get(0);
    // An agent (or anyone who may write assignment status) reports A's pod and, besides it, B's
    // pods by their real names and UIDs.
    TracepointAssignment fresh = client.resource(assignment).get();
    TracepointAssignmentStatus status = new TracepointAssignmentStatus();
    status.setObservedGeneration(fresh.getMetadata().getGeneration());
    status.setPods(
        List.of(
            report(webA, PodState.Attached),
            report(webB1, PodState.Attached),
            report(webB2, PodState.Failed)));
    fresh.setStatus(status);
    client.resource(fresh).updateStatus();

    Tracepoint tp = fx.awaitPhase(teamA, "reports", Phase.Active);
    assertEquals(1, tp.getStatus().getDesiredPods());
    assertEquals(1, tp.getStatus().getAttachedPods());
    assertEquals(0, tp.getStatus().getFailedPods());
    assertEquals(List.of("web"), podNames(tp));
    assertEquals(NODE_1, tp.getStatus().getPods().get(0).getNode());
  }

  private static PodProbeStatus report(Pod pod, PodState state) {
    return new PodProbeStatus(
        pod.getMetadata().getName(), pod.getMetadata().getUid(), state, "reported", null);
  }

  private static Tracepoint withSelector(String name, LabelSelector selector) {
    Tracepoint tp = Fixtures.tracepoint(teamA, name, "web");
    tp.getSpec().getTarget().setSelector(selector);
    return tp;
  }

  private static Set<String> uids(List<TracepointAssignment> assignments) {
    return assignments.stream()
        .flatMap(a -> a.getSpec().getPods().stream())
        .map(AssignedPod::getUid)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static List<String> podNames(Tracepoint tp) {
    return tp.getStatus().getPods().stream().map(PodReport::getPod).toList();
  }
}
