package dev.dynlog.integration;

import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.Limits;
import dev.dynlog.api.v1alpha1.PodProbeStatus;
import dev.dynlog.api.v1alpha1.Target;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.api.v1alpha1.TracepointSpec;
import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.Fixtures;
import dev.dynlog.operator.testing.ServiceAccounts;
import dev.dynlog.operator.testing.TestApiServer;
import dev.dynlog.testing.FakeContainer;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The cluster side of the integration tests: the real API server (shared per JVM, dynlog's CRDs
 * installed), objects made through it, and the test standing in for the kubelet: it creates Pod
 * objects whose status names the container IDs of {@link FakeContainer}s into which it moved real
 * processes.
 */
final class Cluster {

  final TestApiServer api = TestApiServer.get();
  final KubernetesClient client = api.client();
  final Fixtures fixtures = new Fixtures(client);

  /**
   * A kubeconfig for the agent: a service account bound to exactly the chart's agent rules ({@code
   * charts/dynlog-operator/files/agent-rules.yaml}), so the tests prove they are enough.
   */
  Path agentKubeconfig(String namespace) throws IOException {
    String token =
        ServiceAccounts.create(
            client,
            namespace,
            "dynlog-agent",
            ServiceAccounts.chartRules("agent-rules.yaml"),
            List.of());
    Path file = Files.createTempFile("dynlog-agent", ".kubeconfig");
    Files.writeString(file, api.tokenKubeconfig(token));
    return file;
  }

  /** A pod on {@code node} whose container "app" is {@code app}, reported Running. */
  Pod pod(String namespace, String name, String node, Map<String, String> labels) {
    return client
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
                .endSpec()
                .build())
        .create();
  }

  /** Reports the pod Running with its container "app" being {@code app} (a start or restart). */
  Pod running(Pod pod, FakeContainer app, int restarts) {
    Pod fresh = client.pods().resource(pod).get();
    fresh.setStatus(
        new PodStatusBuilder()
            .withPhase("Running")
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("app")
                    .withReady(true)
                    .withRestartCount(restarts)
                    .withImage("example.com/app:1")
                    .withImageID("sha256:1")
                    .withContainerID(app.statusId())
                    .build())
            .build());
    return client.pods().resource(fresh).updateStatus();
  }

  /** A Tracepoint on {@code function} of the pods labelled app={@code app}, container "app". */
  static Tracepoint tracepoint(
      String namespace, String name, String app, String function, Capture... captures) {
    Tracepoint tp = new Tracepoint();
    tp.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    TracepointSpec spec = new TracepointSpec();
    Target target = new Target();
    target.setSelector(new LabelSelectorBuilder().addToMatchLabels("app", app).build());
    target.setContainer("app");
    spec.setTarget(target);
    spec.setFunction(function);
    spec.setCapture(new ArrayList<>(List.of(captures)));
    spec.setLatency(true);
    spec.setTtl("1h");
    spec.setLimits(new Limits(Limits.MAX_EVENTS_PER_SECOND, null, null));
    tp.setSpec(spec);
    return tp;
  }

  Tracepoint create(Tracepoint tp) {
    return client.resource(tp).create();
  }

  Tracepoint get(String namespace, String name) {
    return fixtures.get(namespace, name);
  }

  /** Changes the Tracepoint's spec (a new generation). */
  Tracepoint edit(String namespace, String name, Consumer<TracepointSpec> change) {
    return client
        .resources(Tracepoint.class)
        .inNamespace(namespace)
        .withName(name)
        .edit(
            tp -> {
              change.accept(tp.getSpec());
              return tp;
            });
  }

  /** The Tracepoint's assignment to {@code node}, or null. */
  TracepointAssignment assignment(String namespace, String tracepoint, String node) {
    return fixtures.assignments(namespace, tracepoint).stream()
        .filter(a -> node.equals(a.getSpec().getNodeName()))
        .findFirst()
        .orElse(null);
  }

  /**
   * Waits until the agent has reported on the assignment's current generation and the pod's report
   * satisfies {@code test}; returns that report.
   */
  PodProbeStatus awaitPodReport(
      String namespace,
      String tracepoint,
      String node,
      String pod,
      Predicate<PodProbeStatus> test) {
    TracepointAssignment[] last = new TracepointAssignment[1];
    try {
      return Await.until(
          "the agent's report on pod " + pod + " of " + namespace + "/" + tracepoint,
          Duration.ofSeconds(30),
          () -> {
            TracepointAssignment a = assignment(namespace, tracepoint, node);
            last[0] = a;
            if (a == null
                || a.getStatus() == null
                || a.getStatus().getPods() == null
                || !a.getMetadata().getGeneration().equals(a.getStatus().getObservedGeneration())) {
              return null;
            }
            return a.getStatus().getPods().stream()
                .filter(p -> pod.equals(p.getName()))
                .findFirst()
                .orElse(null);
          },
          p -> p != null && test.test(p));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; the assignment: " + last[0], e);
    }
  }
}
