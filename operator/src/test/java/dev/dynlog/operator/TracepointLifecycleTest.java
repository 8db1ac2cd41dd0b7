package dev.dynlog.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.api.v1alpha1.AssignedPod;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.Limits;
import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.PodState;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.operator.reconcile.TracepointReconciler;
import dev.dynlog.operator.testing.ApiServerTest;
import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.Fixtures;
import dev.dynlog.operator.testing.TestOperator;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Create, agent reports, update in place and delete, on a real API server. */
@Tag("apiserver")
@ApiServerTest(identity = "lifecycle", lease = "lifecycle-lease")
class TracepointLifecycleTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @ApiServerTest.Inject private static KubernetesClient client;
  @ApiServerTest.Inject private static Fixtures fx;
  @ApiServerTest.Inject private static TestOperator operator;

  @Test
  void oneAssignmentPerNodeWithItsPodsThenStatusFromAgents() {
    String ns = fx.namespace("life");
    fx.node("life-a");
    fx.node("life-b");
    fx.node("life-c");
    Pod a1 = fx.runningPod(ns, "web-1", "life-a", Map.of("app", "web"));
    Pod a2 = fx.runningPod(ns, "web-2", "life-a", Map.of("app", "web"));
    Pod b1 = fx.runningPod(ns, "web-3", "life-b", Map.of("app", "web"));
    fx.runningPod(ns, "db-1", "life-c", Map.of("app", "db"));
    Pod pending = fx.runningPod(ns, "web-4", "life-c", Map.of("app", "web"));
    fx.setPhase(pending, "Pending");

    fx.create(Fixtures.tracepoint(ns, "handle", "web"));

    List<TracepointAssignment> assignments =
        Await.until("two assignments", WAIT, () -> fx.assignments(ns), l -> l.size() == 2);
    TracepointAssignment onA = assignments.get(0);
    TracepointAssignment onB = assignments.get(1);
    Tracepoint tp = fx.get(ns, "handle");
    assertEquals("life-a", onA.getSpec().getNodeName());
    assertEquals("life-a", onA.getMetadata().getLabels().get(TracepointAssignment.NODE_LABEL));
    assertEquals(
        "handle", onA.getMetadata().getLabels().get(TracepointAssignment.TRACEPOINT_LABEL));
    assertEquals(tp.getMetadata().getUid(), onA.getMetadata().getOwnerReferences().get(0).getUid());
    assertEquals(Boolean.TRUE, onA.getMetadata().getOwnerReferences().get(0).getController());
    assertEquals(
        List.of("web-1", "web-2"),
        onA.getSpec().getPods().stream().map(AssignedPod::getName).toList());
    assertEquals(
        List.of(a1.getMetadata().getUid(), a2.getMetadata().getUid()),
        onA.getSpec().getPods().stream().map(AssignedPod::getUid).toList());
    assertEquals(
        List.of(appContainerId(a1)),
        onA.getSpec().getPods().get(0).getContainerIDs(),
        "only the target container 'app' is listed");
    assertEquals("life-b", onB.getSpec().getNodeName());
    assertEquals(
        List.of(b1.getMetadata().getUid()),
        onB.getSpec().getPods().stream().map(AssignedPod::getUid).toList());
    assertEquals("main.(*Server).Handle", onA.getSpec().getProbe().getFunction());
    assertEquals(
        List.of(new Capture("user", "req.User.Name"), new Capture("n", "len(req.Items)")),
        onA.getSpec().getProbe().getCapture());
    assertTrue(onA.getSpec().getProbe().isLatency());
    assertEquals(
        Limits.DEFAULT_MAX_EVENTS_PER_SECOND,
        onA.getSpec().getProbe().getLimits().getMaxEventsPerSecond());
    assertEquals(1L, onA.getSpec().getTracepointGeneration());
    // How an agent finds its own work: by field selector (CRD selectable field) or by label.
    assertEquals(
        List.of(onA.getMetadata().getName()),
        client
            .resources(TracepointAssignment.class)
            .inAnyNamespace()
            .withField("spec.nodeName", "life-a")
            .list()
            .getItems()
            .stream()
            .map(a -> a.getMetadata().getName())
            .toList());
    assertEquals(
        List.of(onB.getMetadata().getName()),
        client
            .resources(TracepointAssignment.class)
            .inAnyNamespace()
            .withLabel(TracepointAssignment.NODE_LABEL, "life-b")
            .list()
            .getItems()
            .stream()
            .map(a -> a.getMetadata().getName())
            .toList());

    tp = fx.awaitPhase(ns, "handle", Phase.Pending);
    assertEquals(3, tp.getStatus().getDesiredPods());
    assertEquals(0, tp.getStatus().getAttachedPods());
    assertEquals("True", Fixtures.condition(tp, "Valid").getStatus());
    assertEquals("WaitingForAgents", Fixtures.condition(tp, "Ready").getReason());
    assertEquals("False", Fixtures.condition(tp, "Expired").getStatus());
    assertEquals(
        Instant.parse(tp.getStatus().getSpecChangedAt()).plus(Duration.ofHours(1)),
        Instant.parse(tp.getStatus().getExpiresAt()));
    assertEquals(tp.getStatus().getExpiresAt(), onA.getSpec().getExpiresAt());

    fx.agentReports(onA, PodState.Attached, "attached to 1 process");
    fx.agentReports(onB, PodState.Failed, "no DWARF in /app/server");
    tp = fx.awaitPhase(ns, "handle", Phase.Degraded);
    assertEquals(2, tp.getStatus().getAttachedPods());
    assertEquals(1, tp.getStatus().getFailedPods());
    assertEquals("web-3", tp.getStatus().getPods().get(0).getPod(), "failed pods first");
    assertEquals("life-b", tp.getStatus().getPods().get(0).getNode());
    assertEquals("no DWARF in /app/server", tp.getStatus().getPods().get(0).getMessage());
    assertEquals("AttachFailed", Fixtures.condition(tp, "Ready").getReason());
    fx.awaitEvent(ns, "handle", "AttachFailed");

    fx.agentReports(onB, PodState.Attached, "attached to 1 process");
    tp = fx.awaitPhase(ns, "handle", Phase.Active);
    assertEquals(3, tp.getStatus().getAttachedPods());
    assertEquals("True", Fixtures.condition(tp, "Ready").getStatus());
    fx.awaitEvent(ns, "handle", "Attached");
    assertOperatorNeverWroteSpec(tp);
  }

  @Test
  void aTrippedCpuBudgetDegradesWithItsOwnReasonAndEvent() {
    String ns = fx.namespace("budget");
    fx.node("cpu-a");
    fx.runningPod(ns, "loop-1", "cpu-a", Map.of("app", "loop"));
    fx.runningPod(ns, "calm-1", "cpu-a", Map.of("app", "calm"));
    Tracepoint hot = Fixtures.tracepoint(ns, "hot", "loop");
    hot.getSpec().setLimits(new Limits(null, null, null, null, 2.5));
    fx.create(hot);
    fx.create(Fixtures.tracepoint(ns, "calm", "calm"));
    List<TracepointAssignment> assignments =
        Await.until("assignments", WAIT, () -> fx.assignments(ns), l -> l.size() == 2);
    TracepointAssignment onHot =
        assignments.stream()
            .filter(a -> a.getSpec().getTracepoint().equals("hot"))
            .findFirst()
            .get();
    TracepointAssignment onCalm =
        assignments.stream()
            .filter(a -> a.getSpec().getTracepoint().equals("calm"))
            .findFirst()
            .get();
    assertEquals(2.5, onHot.getSpec().getProbe().getLimits().getMaxCpuPercent());
    assertEquals(
        Limits.DEFAULT_MAX_CPU_PERCENT,
        onCalm.getSpec().getProbe().getLimits().getMaxCpuPercent(),
        "the default budget reaches the agent");
    fx.agentReports(onHot, PodState.Attached, "attached in 1 process");
    fx.awaitPhase(ns, "hot", Phase.Active);
    String message =
        "over its CPU budget: 182,000 calls/s cost 21.4% of a core (limit 2.5%) for 3 s; detached";
    fx.agentReports(onHot, PodState.Failed, message, "CpuBudgetExceeded");
    Tracepoint tp = fx.awaitPhase(ns, "hot", Phase.Degraded);
    assertEquals(1, tp.getStatus().getFailedPods());
    assertEquals(message, tp.getStatus().getPods().get(0).getMessage());
    assertEquals("CpuBudgetExceeded", tp.getStatus().getPods().get(0).getReason());
    fx.awaitEvent(ns, "hot", "CpuBudgetExceeded");
  }

  @Test
  void specChangeUpdatesAssignmentsInPlace() {
    String ns = fx.namespace("update");
    fx.node("upd-a");
    fx.runningPod(ns, "api-1", "upd-a", Map.of("app", "api"));
    Tracepoint tp = Fixtures.tracepoint(ns, "probe", "api");
    tp.getSpec().getTarget().setProcessName("^server$");
    fx.create(tp);
    TracepointAssignment before =
        Await.until("assignment", WAIT, () -> fx.assignments(ns), l -> l.size() == 1).get(0);
    fx.agentReports(before, PodState.Attached, "ok");
    fx.awaitPhase(ns, "probe", Phase.Active);

    Tracepoint edited = fx.get(ns, "probe");
    edited.getSpec().setCapture(List.of(new Capture("code", "$0"), new Capture("p", "*p")));
    edited.getSpec().setLatency(false);
    edited.getSpec().getTarget().setProcessName(null);
    edited.getSpec().setLimits(new Limits(5, null, 4));
    client.resource(edited).update();

    TracepointAssignment after =
        Await.until(
                "updated assignment",
                WAIT,
                () -> fx.assignments(ns),
                l -> l.size() == 1 && l.get(0).getSpec().getTracepointGeneration() == 2L)
            .get(0);
    assertEquals(before.getMetadata().getName(), after.getMetadata().getName());
    assertEquals(
        before.getMetadata().getUid(),
        after.getMetadata().getUid(),
        "updated in place, not re-created");
    assertTrue(after.getMetadata().getGeneration() > before.getMetadata().getGeneration());
    assertEquals(
        List.of(new Capture("code", "$0"), new Capture("p", "*p")),
        after.getSpec().getProbe().getCapture());
    assertEquals(false, after.getSpec().getProbe().isLatency());
    assertNull(after.getSpec().getProbe().getProcessName(), "no stale field left behind");
    assertEquals(5, after.getSpec().getProbe().getLimits().getMaxEventsPerSecond());
    assertEquals(
        Limits.DEFAULT_MAX_STRING_BYTES,
        after.getSpec().getProbe().getLimits().getMaxStringBytes());
    assertEquals(4, after.getSpec().getProbe().getLimits().getMaxCollectionElements());

    Tracepoint pending = fx.awaitPhase(ns, "probe", Phase.Pending);
    assertEquals(
        0, pending.getStatus().getAttachedPods(), "reports for the old generation no longer count");
    assertEquals(2L, pending.getStatus().getObservedGeneration());
    fx.agentReports(after, PodState.Attached, "ok");
    fx.awaitPhase(ns, "probe", Phase.Active);
  }

  @Test
  void deletionRemovesEveryAssignmentThroughTheFinalizer() {
    String ns = fx.namespace("delete");
    for (int i = 0; i < 3; i++) {
      fx.node("del-" + i);
      fx.runningPod(ns, "w-" + i, "del-" + i, Map.of("app", "w"));
    }
    fx.create(Fixtures.tracepoint(ns, "gone", "w"));
    Await.until("3 assignments", WAIT, () -> fx.assignments(ns), l -> l.size() == 3);
    assertTrue(fx.get(ns, "gone").getMetadata().getFinalizers().size() == 1, "finalizer added");

    client.resources(Tracepoint.class).inNamespace(ns).withName("gone").delete();
    Await.until("Tracepoint gone", WAIT, () -> fx.get(ns, "gone") == null, gone -> gone);
    assertEquals(List.of(), fx.assignments(ns));
  }

  @Test
  void selectorChangeMovesAssignmentsToTheNewPods() {
    String ns = fx.namespace("selector");
    fx.node("sel-a");
    fx.node("sel-b");
    fx.runningPod(ns, "blue-1", "sel-a", Map.of("app", "blue"));
    fx.runningPod(ns, "green-1", "sel-b", Map.of("app", "green"));
    fx.create(Fixtures.tracepoint(ns, "sel", "blue"));
    Await.until(
        "assignment on sel-a",
        WAIT,
        () -> fx.assignments(ns),
        l -> l.size() == 1 && l.get(0).getSpec().getNodeName().equals("sel-a"));
    Tracepoint tp = fx.get(ns, "sel");
    tp.getSpec().getTarget().getSelector().setMatchLabels(Map.of("app", "green"));
    client.resource(tp).update();
    Await.until(
        "assignment only on sel-b",
        WAIT,
        () -> fx.assignments(ns),
        l -> l.size() == 1 && l.get(0).getSpec().getNodeName().equals("sel-b"));
  }

  @Test
  void servesMetricsAndHealth() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + operator.httpPort();
    assertEquals(200, get(http, base + "/healthz").statusCode());
    assertEquals(
        200,
        Await.until("ready", WAIT, () -> get(http, base + "/readyz"), r -> r.statusCode() == 200)
            .statusCode());
    String ns = fx.namespace("metrics");
    fx.create(Fixtures.tracepoint(ns, "counted", "nothing-matches"));
    fx.awaitPhase(ns, "counted", Phase.NoTargets);
    HttpResponse<String> metrics = get(http, base + "/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(
        metrics
            .body()
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("dynlog_operator_tracepoints{phase=\"NoTargets\"}")
                        && !l.endsWith(" 0.0")),
        metrics.body());
    assertTrue(metrics.body().contains("dynlog_operator_assignment_writes_total"), "own counters");
    assertTrue(metrics.body().contains("operator_sdk_"), "JOSDK reconcile metrics");
  }

  private static HttpResponse<String> get(HttpClient http, String url) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static String appContainerId(Pod pod) {
    return pod.getStatus().getContainerStatuses().stream()
        .filter(c -> c.getName().equals("app"))
        .findFirst()
        .orElseThrow()
        .getContainerID();
  }

  /** The operator's field manager may own status and metadata.finalizers, never spec. */
  static void assertOperatorNeverWroteSpec(Tracepoint tp) {
    ObjectMapper json = new ObjectMapper();
    boolean operatorSeen = false;
    for (ManagedFieldsEntry entry : tp.getMetadata().getManagedFields()) {
      boolean writesSpec = json.valueToTree(entry.getFieldsV1()).has("f:spec");
      if (entry.getManager().equals(TracepointReconciler.NAME)
          || entry.getManager().equals(TracepointReconciler.FIELD_MANAGER)) {
        operatorSeen = true;
        assertTrue(
            !writesSpec,
            "operator manager " + entry.getManager() + " owns spec fields: " + entry.getFieldsV1());
      } else {
        assertTrue(
            !writesSpec || entry.getManager().startsWith("fabric8"),
            "unexpected manager " + entry.getManager() + " wrote the spec");
      }
    }
    assertTrue(
        operatorSeen,
        "the operator's field manager should own the status: "
            + tp.getMetadata().getManagedFields());
  }
}
