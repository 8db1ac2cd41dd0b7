package dev.dynlog.operator.testing;

import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.PodProbeStatus;
import dev.dynlog.api.v1alpha1.PodState;
import dev.dynlog.api.v1alpha1.Target;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.api.v1alpha1.TracepointAssignmentStatus;
import dev.dynlog.api.v1alpha1.TracepointSpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test objects created through the real API server: namespaces, nodes, pods whose status is set
 * through the status subresource the way a kubelet does, Tracepoints, and a stand-in node agent
 * that writes assignment statuses.
 */
public final class Fixtures {

  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final KubernetesClient client;

  public Fixtures(KubernetesClient client) {
    this.client = client;
  }

  /** Creates a namespace with a unique name starting with {@code prefix}. */
  public String namespace(String prefix) {
    String name = prefix + "-" + SEQUENCE.incrementAndGet();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  /** Creates a Node object (idempotent). */
  public void node(String name) {
    client
        .nodes()
        .resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build())
        .createOr(n -> n.update());
  }

  /**
   * Creates a pod bound to {@code node} with containers "app" and "sidecar", then reports it
   * Running with fresh container IDs through the status subresource.
   */
  public Pod runningPod(String namespace, String name, String node, Map<String, String> labels) {
    Pod pod =
        client
            .pods()
            .inNamespace(namespace)
            .resource(
                new PodBuilder()
                    .withMetadata(
                        new ObjectMetaBuilder()
                            .withName(name)
                            .withNamespace(namespace)
                            .withLabels(labels)
                            .build())
                    .withNewSpec()
                    .withNodeName(node)
                    .addNewContainer()
                    .withName("app")
                    .withImage("example.com/app:1")
                    .endContainer()
                    .addNewContainer()
                    .withName("sidecar")
                    .withImage("example.com/sidecar:1")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    return setRunning(pod);
  }

  /** Reports the pod Running with new container IDs (a container restart, as a kubelet would). */
  public Pod setRunning(Pod pod) {
    Pod fresh = client.pods().resource(pod).get();
    fresh.setStatus(
        new PodStatusBuilder()
            .withPhase("Running")
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("app")
                    .withReady(true)
                    .withRestartCount(0)
                    .withImage("example.com/app:1")
                    .withImageID("sha256:1")
                    .withContainerID("containerd://" + newId())
                    .build(),
                new ContainerStatusBuilder()
                    .withName("sidecar")
                    .withReady(true)
                    .withRestartCount(0)
                    .withImage("example.com/sidecar:1")
                    .withImageID("sha256:2")
                    .withContainerID("containerd://" + newId())
                    .build())
            .build());
    return client.pods().resource(fresh).updateStatus();
  }

  /** Sets only the pod phase (e.g. Succeeded). */
  public Pod setPhase(Pod pod, String phase) {
    Pod fresh = client.pods().resource(pod).get();
    fresh.getStatus().setPhase(phase);
    return client.pods().resource(fresh).updateStatus();
  }

  /** Deletes a pod at once (grace period 0, as a kubelet confirms). */
  public void deletePodNow(String namespace, String name) {
    client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
  }

  /** A Tracepoint selecting {@code app=<app>} probing main.Handle with two captures. */
  public static Tracepoint tracepoint(String namespace, String name, String app) {
    Tracepoint tp = new Tracepoint();
    tp.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    TracepointSpec spec = new TracepointSpec();
    Target target = new Target();
    target.setSelector(new LabelSelectorBuilder().addToMatchLabels("app", app).build());
    target.setContainer("app");
    spec.setTarget(target);
    spec.setFunction("main.(*Server).Handle");
    spec.setCapture(
        new ArrayList<>(
            List.of(new Capture("user", "req.User.Name"), new Capture("n", "len(req.Items)"))));
    spec.setLatency(true);
    spec.setTtl("1h");
    tp.setSpec(spec);
    return tp;
  }

  /** Creates the Tracepoint; returns it as stored. */
  public Tracepoint create(Tracepoint tp) {
    return client.resource(tp).create();
  }

  /** The Tracepoint as stored now, or null. */
  public Tracepoint get(String namespace, String name) {
    return client.resources(Tracepoint.class).inNamespace(namespace).withName(name).get();
  }

  /** The namespace's assignments sorted by node. */
  public List<TracepointAssignment> assignments(String namespace) {
    List<TracepointAssignment> list =
        new ArrayList<>(
            client.resources(TracepointAssignment.class).inNamespace(namespace).list().getItems());
    list.sort(Comparator.comparing(a -> a.getSpec().getNodeName()));
    return list;
  }

  /** The assignments of one Tracepoint sorted by node. */
  public List<TracepointAssignment> assignments(String namespace, String tracepoint) {
    return assignments(namespace).stream()
        .filter(a -> tracepoint.equals(a.getSpec().getTracepoint()))
        .toList();
  }

  /**
   * Acts as the node agent: reports every pod of the assignment in {@code state} for the
   * assignment's current generation.
   */
  public void agentReports(TracepointAssignment assignment, PodState state, String message) {
    agentReports(assignment, state, message, null);
  }

  /** As a node agent reports every pod of an assignment, with the agent's reason for the state. */
  public void agentReports(
      TracepointAssignment assignment, PodState state, String message, String reason) {
    TracepointAssignment fresh = client.resource(assignment).get();
    TracepointAssignmentStatus status = new TracepointAssignmentStatus();
    status.setObservedGeneration(fresh.getMetadata().getGeneration());
    status.setPods(
        fresh.getSpec().getPods().stream()
            .map(p -> new PodProbeStatus(p.getName(), p.getUid(), state, message, reason))
            .toList());
    fresh.setStatus(status);
    client.resource(fresh).updateStatus();
  }

  /** Waits until the Tracepoint's status describes its current generation in this phase. */
  public Tracepoint awaitPhase(String ns, String name, Phase phase) {
    return Await.until(
        name + " in phase " + phase,
        Duration.ofSeconds(30),
        () -> get(ns, name),
        tp ->
            tp != null
                && tp.getStatus() != null
                && tp.getStatus().getPhase() == phase
                && tp.getStatus().getObservedGeneration() != null
                && tp.getStatus().getObservedGeneration().equals(tp.getMetadata().getGeneration()));
  }

  /** The condition of that type, or an assertion error. */
  public static Condition condition(Tracepoint tp, String type) {
    return tp.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type));
  }

  /** Waits for an Event with this reason about the named object. */
  public Event awaitEvent(String ns, String name, String reason) {
    return Await.until(
        "event " + reason + " for " + name,
        Duration.ofSeconds(30),
        () ->
            client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(
                    e ->
                        e.getInvolvedObject().getName().equals(name)
                            && e.getReason().equals(reason))
                .findFirst()
                .orElse(null),
        e -> e != null);
  }

  private static String newId() {
    return UUID.randomUUID().toString().replace("-", "")
        + UUID.randomUUID().toString().replace("-", "");
  }
}
