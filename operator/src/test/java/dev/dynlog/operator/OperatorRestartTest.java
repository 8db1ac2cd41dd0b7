package dev.dynlog.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.api.v1alpha1.AssignedPod;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.operator.testing.ApiServerTest;
import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.Fixtures;
import dev.dynlog.operator.testing.TestOperator;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two replicas behind leader election; the leader stops midway while the world changes; the standby
 * takes over and converges with no duplicate and no orphaned assignment.
 */
@Tag("apiserver")
@ApiServerTest
class OperatorRestartTest {

  private static final Duration WAIT = Duration.ofSeconds(40);
  private static final String LEASE = "restart-lease";

  @Test
  void standbyTakesOverAndConvergesWithoutDuplicatesOrOrphans(KubernetesClient client, Fixtures fx)
      throws Exception {
    String ns = fx.namespace("restart");
    for (int i = 0; i < 3; i++) {
      fx.node("rs-" + i);
    }
    for (int i = 0; i < 6; i++) {
      fx.runningPod(ns, "p-" + i, "rs-" + (i % 3), Map.of("app", "a" + (i % 2)));
    }
    TestOperator first = TestOperator.start("replica-1", LEASE);
    TestOperator second = null;
    try {
      awaitLeader(client, "replica-1");
      second = TestOperator.start("replica-2", LEASE);
      for (int t = 0; t < 4; t++) {
        fx.create(Fixtures.tracepoint(ns, "tp-" + t, "a" + (t % 2)));
      }
      awaitConverged(client, fx, ns);
      assertEquals(
          "replica-1",
          lease(client).getSpec().getHolderIdentity(),
          "the standby must not take the lease while the leader runs");

      first.close();
      // While no replica leads: delete a Tracepoint (held by its finalizer), change one,
      // move pods, add a Tracepoint.
      client.resources(Tracepoint.class).inNamespace(ns).withName("tp-0").delete();
      Tracepoint tp1 = fx.get(ns, "tp-1");
      tp1.getSpec().getTarget().getSelector().setMatchLabels(Map.of("app", "a0"));
      client.resource(tp1).update();
      fx.deletePodNow(ns, "p-0");
      fx.deletePodNow(ns, "p-3");
      fx.runningPod(ns, "p-6", "rs-2", Map.of("app", "a1"));
      fx.create(Fixtures.tracepoint(ns, "tp-4", "a1"));

      awaitLeader(client, "replica-2");
      awaitConverged(client, fx, ns);
      Await.until("tp-0 deleted", WAIT, () -> fx.get(ns, "tp-0") == null, gone -> gone);
      assertEquals(
          Set.of("tp-1", "tp-2", "tp-3", "tp-4"),
          client.resources(Tracepoint.class).inNamespace(ns).list().getItems().stream()
              .map(t -> t.getMetadata().getName())
              .collect(Collectors.toSet()));
    } finally {
      first.close();
      if (second != null) {
        second.close();
      }
    }
  }

  /** Every Tracepoint has exactly the assignments its pods need, and nothing else exists. */
  private static void awaitConverged(KubernetesClient client, Fixtures fx, String ns) {
    Await.until(
        "assignments match pods",
        WAIT,
        () -> {
          Map<String, Set<String>> expected = expected(client, ns);
          Map<String, Set<String>> actual = new TreeMap<>();
          for (TracepointAssignment a : fx.assignments(ns)) {
            String key = a.getSpec().getTracepoint() + "@" + a.getSpec().getNodeName();
            Set<String> pods =
                a.getSpec().getPods().stream()
                    .map(AssignedPod::getName)
                    .collect(Collectors.toCollection(TreeSet::new));
            if (actual.put(key, pods) != null) {
              actual.put(key, Set.of("DUPLICATE"));
            }
          }
          return expected.equals(actual) ? null : "expected " + expected + " actual " + actual;
        },
        mismatch -> mismatch == null);
    for (TracepointAssignment a : fx.assignments(ns)) {
      Tracepoint owner = fx.get(ns, a.getSpec().getTracepoint());
      assertTrue(
          owner != null && owner.getMetadata().getDeletionTimestamp() == null,
          "orphaned assignment " + a.getMetadata().getName());
      assertEquals(
          owner.getMetadata().getUid(), a.getMetadata().getOwnerReferences().get(0).getUid());
      assertEquals(owner.getMetadata().getGeneration(), a.getSpec().getTracepointGeneration());
    }
  }

  /** tracepoint@node -> pod names, computed independently from the pods and selectors. */
  private static Map<String, Set<String>> expected(KubernetesClient client, String ns) {
    Map<String, Set<String>> expected = new TreeMap<>();
    for (Tracepoint tp : client.resources(Tracepoint.class).inNamespace(ns).list().getItems()) {
      if (tp.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      String app = tp.getSpec().getTarget().getSelector().getMatchLabels().get("app");
      client
          .pods()
          .inNamespace(ns)
          .withLabel("app", app)
          .list()
          .getItems()
          .forEach(
              p ->
                  expected
                      .computeIfAbsent(
                          tp.getMetadata().getName() + "@" + p.getSpec().getNodeName(),
                          k -> new TreeSet<>())
                      .add(p.getMetadata().getName()));
    }
    return expected;
  }

  private static Lease lease(KubernetesClient client) {
    return client.leases().inNamespace("default").withName(LEASE).get();
  }

  private static void awaitLeader(KubernetesClient client, String identity) {
    Await.until(
        identity + " holds the lease",
        WAIT,
        () -> lease(client),
        l -> l != null && identity.equals(l.getSpec().getHolderIdentity()));
  }
}
