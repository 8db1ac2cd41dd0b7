package dev.dynlog.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.PodState;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.operator.testing.ApiServerTest;
import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.Fixtures;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** TTL counted from the last spec change: expiry keeps the object and its spec, renewal. */
@Tag("apiserver")
@ApiServerTest(identity = "ttl", lease = "ttl-lease")
class TtlTest {

  @ApiServerTest.Inject private static KubernetesClient client;
  @ApiServerTest.Inject private static Fixtures fx;

  @Test
  void expiresAfterTtlKeepsTheObjectThenRenewsOnSpecChange() {
    String ns = fx.namespace("ttl");
    fx.node("ttl-a");
    fx.node("ttl-b");
    fx.runningPod(ns, "t-1", "ttl-a", Map.of("app", "t"));
    fx.runningPod(ns, "t-2", "ttl-b", Map.of("app", "t"));
    Tracepoint tp = Fixtures.tracepoint(ns, "short", "t");
    tp.getSpec().setTtl("6s");
    fx.create(tp);
    List<TracepointAssignment> assignments =
        Await.until(
            "2 assignments", Duration.ofSeconds(10), () -> fx.assignments(ns), l -> l.size() == 2);
    assignments.forEach(a -> fx.agentReports(a, PodState.Attached, "ok"));
    Tracepoint active = fx.awaitPhase(ns, "short", Phase.Active);
    Instant expiresAt = Instant.parse(active.getStatus().getExpiresAt());
    assertEquals(
        Duration.ofSeconds(6),
        Duration.between(Instant.parse(active.getStatus().getSpecChangedAt()), expiresAt));
    String specBefore = json(active.getSpec());

    Tracepoint expired =
        Await.until(
            "Expired",
            Duration.ofSeconds(15),
            () -> fx.get(ns, "short"),
            t -> t.getStatus().getPhase() == Phase.Expired);
    Instant seenAt = Instant.now();
    assertTrue(!seenAt.isBefore(expiresAt), "expired no earlier than expiresAt");
    assertTrue(
        Duration.between(expiresAt, seenAt).compareTo(Duration.ofSeconds(3)) < 0,
        "expired within 3 s of expiresAt, seen " + Duration.between(expiresAt, seenAt));
    assertEquals("True", Fixtures.condition(expired, "Expired").getStatus());
    assertEquals("TtlElapsed", Fixtures.condition(expired, "Expired").getReason());
    assertEquals(0, expired.getStatus().getAttachedPods());
    Await.until(
        "assignments deleted", Duration.ofSeconds(10), () -> fx.assignments(ns), List::isEmpty);
    Tracepoint kept = fx.get(ns, "short");
    assertEquals(1L, kept.getMetadata().getGeneration(), "spec never rewritten");
    assertEquals(specBefore, json(kept.getSpec()));
    assertEquals(null, kept.getMetadata().getDeletionTimestamp(), "object kept");
    fx.awaitEvent(ns, "short", "Expired");

    kept.getSpec().setTtl("8s");
    client.resource(kept).update();
    Tracepoint renewed = fx.awaitPhase(ns, "short", Phase.Pending);
    assertEquals(
        Duration.ofSeconds(8),
        Duration.between(
            Instant.parse(renewed.getStatus().getSpecChangedAt()),
            Instant.parse(renewed.getStatus().getExpiresAt())));
    assertTrue(Instant.parse(renewed.getStatus().getExpiresAt()).isAfter(expiresAt));
    assertEquals("False", Fixtures.condition(renewed, "Expired").getStatus());
    List<TracepointAssignment> again =
        Await.until(
            "assignments re-created",
            Duration.ofSeconds(10),
            () -> fx.assignments(ns),
            l -> l.size() == 2);
    assertEquals(renewed.getStatus().getExpiresAt(), again.get(0).getSpec().getExpiresAt());
    fx.awaitEvent(ns, "short", "Renewed");
  }

  @Test
  void anUnchangedSpecDoesNotRenew() {
    String ns = fx.namespace("ttl-same");
    fx.node("ttl-c");
    fx.runningPod(ns, "s-1", "ttl-c", Map.of("app", "s"));
    Tracepoint tp = Fixtures.tracepoint(ns, "same", "s");
    tp.getSpec().setTtl("5s");
    fx.create(tp);
    Tracepoint first = fx.awaitPhase(ns, "same", Phase.Pending);
    // A metadata-only change (label) does not bump the generation, so it must not renew.
    first.getMetadata().setLabels(Map.of("team", "payments"));
    client.resource(first).update();
    Tracepoint expired =
        Await.until(
            "Expired",
            Duration.ofSeconds(15),
            () -> fx.get(ns, "same"),
            t -> t.getStatus().getPhase() == Phase.Expired);
    assertEquals(first.getStatus().getExpiresAt(), expired.getStatus().getExpiresAt());
  }

  private static String json(Object o) {
    return new ObjectMapper().valueToTree(o).toString();
  }
}
