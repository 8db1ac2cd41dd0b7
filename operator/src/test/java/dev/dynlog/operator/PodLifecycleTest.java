package dev.dynlog.operator;

import static dev.dynlog.operator.TracepointLifecycleTest.appContainerId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.dynlog.api.v1alpha1.AssignedPod;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.operator.testing.ApiServerTest;
import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Pods spread over several nodes appear, disappear, move, restart and change labels; the
 * assignments follow each change.
 */
@Tag("apiserver")
@ApiServerTest(identity = "pods", lease = "pods-lease")
class PodLifecycleTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @ApiServerTest.Inject private static KubernetesClient client;
  @ApiServerTest.Inject private static Fixtures fx;

  @Test
  void assignmentsFollowPodsAcrossNodes() {
    String ns = fx.namespace("pods");
    for (int i = 1; i <= 4; i++) {
      fx.node("pl-" + i);
    }
    Map<String, String> labels = Map.of("app", "svc");
    fx.runningPod(ns, "svc-a", "pl-1", labels);
    fx.runningPod(ns, "svc-b", "pl-1", labels);
    fx.runningPod(ns, "svc-c", "pl-2", labels);
    Pod d = fx.runningPod(ns, "svc-d", "pl-3", labels);
    fx.create(Fixtures.tracepoint(ns, "follow", "svc"));
    awaitPlacement(
        ns,
        Map.of(
            "pl-1", List.of("svc-a", "svc-b"), "pl-2", List.of("svc-c"), "pl-3", List.of("svc-d")));

    // A pod appears on a node that had none.
    fx.runningPod(ns, "svc-e", "pl-4", labels);
    awaitPlacement(
        ns,
        Map.of(
            "pl-1",
            List.of("svc-a", "svc-b"),
            "pl-2",
            List.of("svc-c"),
            "pl-3",
            List.of("svc-d"),
            "pl-4",
            List.of("svc-e")));

    // The only pod of a node disappears: that node's assignment goes.
    fx.deletePodNow(ns, "svc-c");
    awaitPlacement(
        ns,
        Map.of(
            "pl-1", List.of("svc-a", "svc-b"), "pl-3", List.of("svc-d"), "pl-4", List.of("svc-e")));

    // Rescheduled: svc-d deleted on pl-3 and re-created with the same name on pl-2.
    fx.deletePodNow(ns, "svc-d");
    Pod moved = fx.runningPod(ns, "svc-d", "pl-2", labels);
    List<TracepointAssignment> after =
        awaitPlacement(
            ns,
            Map.of(
                "pl-1",
                List.of("svc-a", "svc-b"),
                "pl-2",
                List.of("svc-d"),
                "pl-4",
                List.of("svc-e")));
    AssignedPod movedEntry = pod(after, "pl-2", "svc-d");
    assertEquals(moved.getMetadata().getUid(), movedEntry.getUid());
    assertNotEquals(d.getMetadata().getUid(), movedEntry.getUid(), "new pod, new UID");

    // Container restart: new container ID reaches the assignment.
    Pod restarted = fx.setRunning(moved);
    String newId = appContainerId(restarted);
    Await.until(
        "new container ID in assignment",
        WAIT,
        () -> fx.assignments(ns),
        l -> pod(l, "pl-2", "svc-d").getContainerIDs().equals(List.of(newId)));

    // A pod that stops matching (label changed) leaves; one that finishes leaves too.
    Pod b = client.pods().inNamespace(ns).withName("svc-b").get();
    b.getMetadata().setLabels(Map.of("app", "other"));
    client.pods().resource(b).update();
    fx.setPhase(client.pods().inNamespace(ns).withName("svc-e").get(), "Succeeded");
    awaitPlacement(ns, Map.of("pl-1", List.of("svc-a"), "pl-2", List.of("svc-d")));

    // A pod being deleted gracefully (terminating, kubelet not yet confirmed) is dropped at once.
    client.pods().inNamespace(ns).withName("svc-a").withGracePeriod(30).delete();
    awaitPlacement(ns, Map.of("pl-2", List.of("svc-d")));
  }

  private static List<TracepointAssignment> awaitPlacement(
      String ns, Map<String, List<String>> podsByNode) {
    return Await.until(
        "placement " + podsByNode,
        WAIT,
        () -> fx.assignments(ns),
        l -> placement(l).equals(new TreeMap<>(podsByNode)));
  }

  private static Map<String, List<String>> placement(List<TracepointAssignment> assignments) {
    return assignments.stream()
        .collect(
            Collectors.toMap(
                a -> a.getSpec().getNodeName(),
                a -> a.getSpec().getPods().stream().map(AssignedPod::getName).toList(),
                (x, y) -> List.of("DUPLICATE"),
                TreeMap::new));
  }

  private static AssignedPod pod(List<TracepointAssignment> assignments, String node, String name) {
    return assignments.stream()
        .filter(a -> a.getSpec().getNodeName().equals(node))
        .flatMap(a -> a.getSpec().getPods().stream())
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not assigned on " + node));
  }
}
