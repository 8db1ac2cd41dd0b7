package dev.dynlog.operator.testing;

import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.PodState;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * N Tracepoints over M nodes: Tracepoint i selects app-i, whose {@value #PODS_PER_APP} pods run on
 * distinct nodes, so N x 3 assignments are expected. Measures the time to converge and the requests
 * the operator issued, first without agents, then with every agent reporting Attached.
 */
public final class ScaleScenario {

  public static final int PODS_PER_APP = 3;

  /**
   * Figures of one run.
   *
   * @param tracepoints N
   * @param nodes M
   * @param createSeconds time to create the N Tracepoints
   * @param convergeSeconds from the first create until every assignment and status is right
   * @param requestsPerTracepoint operator requests during that phase, divided by N
   * @param requestsByKind the same requests by kind
   * @param activeSeconds from the agents' first report until every Tracepoint is Active
   * @param activeRequestsPerTracepoint operator requests during that phase, divided by N
   */
  public record Result(
      int tracepoints,
      int nodes,
      double createSeconds,
      double convergeSeconds,
      double requestsPerTracepoint,
      Map<String, Long> requestsByKind,
      double activeSeconds,
      double activeRequestsPerTracepoint) {

    @Override
    public String toString() {
      return String.format(
          "N=%d tracepoints, M=%d nodes: created in %.2f s; converged "
              + "(assignments + status) %.2f s after first create with %.1f operator requests per "
              + "Tracepoint %s; all Active %.2f s after agents reported, %.1f requests per "
              + "Tracepoint",
          tracepoints,
          nodes,
          createSeconds,
          convergeSeconds,
          requestsPerTracepoint,
          requestsByKind,
          activeSeconds,
          activeRequestsPerTracepoint);
    }
  }

  private ScaleScenario() {}

  /** Runs the scenario in a fresh namespace against a running operator. */
  public static Result run(
      KubernetesClient client, TestOperator operator, int n, int m, Duration timeout)
      throws Exception {
    Fixtures fx = new Fixtures(client);
    String ns = fx.namespace("scale-" + n + "x" + m);
    String nodePrefix = "scale-" + n + "x" + m + "-";
    parallel(m, i -> fx.node(nodePrefix + i));
    parallel(
        n * PODS_PER_APP,
        j -> {
          int app = j / PODS_PER_APP;
          int node = (app * PODS_PER_APP + j % PODS_PER_APP) % m;
          fx.runningPod(
              ns,
              "app-" + app + "-" + (j % PODS_PER_APP),
              nodePrefix + node,
              Map.of("app", "app-" + app));
        });
    Thread.sleep(500); // let pod events settle before counting

    Map<String, Long> before = operator.requests().snapshot();
    long start = System.nanoTime();
    parallel(n, i -> fx.create(Fixtures.tracepoint(ns, "tp-" + i, "app-" + i)));
    double created = seconds(start);
    Await.until(
        n + " Tracepoints converged", timeout, () -> converged(client, ns, n), done -> done);
    double converged = seconds(start);
    Map<String, Long> afterConverge = operator.requests().snapshot();

    List<TracepointAssignment> assignments = fx.assignments(ns);
    long agentsStart = System.nanoTime();
    parallel(
        assignments.size(),
        i -> fx.agentReports(assignments.get(i), PodState.Attached, "attached"));
    Await.until(n + " Tracepoints Active", timeout, () -> allActive(client, ns, n), done -> done);
    double active = seconds(agentsStart);
    Map<String, Long> afterActive = operator.requests().snapshot();
    Map<String, Long> delta = minus(afterConverge, before);
    return new Result(
        n,
        m,
        created,
        converged,
        total(delta) / (double) n,
        delta,
        active,
        total(minus(afterActive, afterConverge)) / (double) n);
  }

  private static boolean converged(KubernetesClient client, String ns, int n) {
    List<TracepointAssignment> assignments =
        client.resources(TracepointAssignment.class).inNamespace(ns).list().getItems();
    if (assignments.size() != n * PODS_PER_APP
        || assignments.stream().anyMatch(a -> a.getSpec().getPods().size() != 1)) {
      return false;
    }
    List<Tracepoint> tps = client.resources(Tracepoint.class).inNamespace(ns).list().getItems();
    return tps.size() == n
        && tps.stream()
            .allMatch(
                tp ->
                    tp.getStatus() != null
                        && Long.valueOf(1).equals(tp.getStatus().getObservedGeneration())
                        && Integer.valueOf(PODS_PER_APP).equals(tp.getStatus().getDesiredPods())
                        && tp.getStatus().getPhase() == Phase.Pending);
  }

  private static boolean allActive(KubernetesClient client, String ns, int n) {
    List<Tracepoint> tps = client.resources(Tracepoint.class).inNamespace(ns).list().getItems();
    return tps.size() == n
        && tps.stream()
            .allMatch(
                tp ->
                    tp.getStatus() != null
                        && tp.getStatus().getPhase() == Phase.Active
                        && Integer.valueOf(PODS_PER_APP).equals(tp.getStatus().getAttachedPods()));
  }

  private static void parallel(int count, IntConsumer task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures =
          IntStream.range(0, count)
              .<Future<?>>mapToObj(i -> pool.submit(() -> task.accept(i)))
              .toList();
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
    Map<String, Long> delta = new TreeMap<>();
    after.forEach(
        (k, v) -> {
          long d = v - before.getOrDefault(k, 0L);
          if (d != 0) {
            delta.put(k, d);
          }
        });
    return delta;
  }

  private static long total(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
