package dev.dynlog.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.operator.query.QuerySettings;
import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.ServiceAccounts;
import dev.dynlog.operator.testing.TestOperator;
import dev.dynlog.testing.FakeContainer;
import dev.dynlog.testing.FakeContainer.Layout;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Query latency through the aggregated API (kube-apiserver → operator → agents) against a query
 * straight at one agent, for Tracepoints on 1, 2 and 10 nodes (10 real agent processes), each
 * agent's buffer full. Prints p50 and p99 of the newest 100 rows.
 *
 * <p>{@code mvn -B -ntp -Pbenchmark verify -pl integration -am -Dit.test=QueryBenchmarkIT
 * -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class QueryBenchmarkIT {

  static final int NODES = 10;
  static final int ROWS_PER_NODE = 50_000;
  static final int QUERIES = 100;

  static final List<AutoCloseable> cleanup = new ArrayList<>();
  static TestOperator operator;

  @AfterAll
  static void stop() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) cleanup.get(i).close();
    if (operator != null) operator.close();
  }

  @Test
  void aggregatedAgainstDirectFor1And2And10Agents() throws Exception {
    Cluster cluster = new Cluster();
    String system = cluster.fixtures.namespace("dynlog");
    Path kubeconfig = cluster.agentKubeconfig(system);
    String operatorToken =
        ServiceAccounts.create(cluster.client, system, "dynlog-operator", List.of(), List.of());
    Path tokenFile = Files.createTempFile("operator", ".token");
    Files.writeString(tokenFile, operatorToken);
    String operatorUser = "system:serviceaccount:" + system + ":dynlog-operator";
    operator =
        TestOperator.start(
            "bench-query-operator",
            "dynlog-bench-query",
            QuerySettings.onPort(0).withAgents(tokenFile, Duration.ofSeconds(10)));
    cluster.api.registerAggregatedApi("query.dynlog.dev", "v1alpha1", operator.queryPort());
    Path bin = Workload.binary();
    String ns = cluster.fixtures.namespace("bench");

    ExecutorService starter = Executors.newFixedThreadPool(NODES);
    List<Future<AgentProcess>> starting = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      String node = "qb-node-" + i;
      cluster.fixtures.node(node);
      starting.add(
          starter.submit(
              () -> AgentProcess.start(node, kubeconfig, "--query-clients", operatorUser)));
    }
    List<AgentProcess> agents = new ArrayList<>();
    for (Future<AgentProcess> f : starting) {
      agents.add(f.get());
      cleanup.add(agents.get(agents.size() - 1));
    }
    starter.shutdown();
    List<Workload> workloads = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      FakeContainer c = FakeContainer.create(Layout.V2);
      cleanup.add(c);
      Workload w = Workload.start(bin, i);
      cleanup.add(w);
      c.place(w.pid());
      Map<String, String> labels = new HashMap<>();
      labels.put("all", "yes");
      if (i < 2) labels.put("two", "yes");
      if (i < 1) labels.put("one", "yes");
      cluster.running(cluster.pod(ns, "web-" + i, "qb-node-" + i, labels), c, 0);
      workloads.add(w);
    }
    Map<Integer, String> tracepoints = Map.of(1, "one", 2, "two", NODES, "all");
    for (String group : List.of("one", "two", "all")) {
      Tracepoint tp = Cluster.tracepoint(ns, group, "x", "hot", new Capture("i", "i"));
      tp.getSpec()
          .getTarget()
          .setSelector(new LabelSelectorBuilder().addToMatchLabels(group, "yes").build());
      tp.getSpec().getLimits().setMaxCpuPercent(100.0);
      cluster.create(tp);
    }
    for (String group : List.of("one", "two", "all")) {
      cluster.fixtures.awaitPhase(ns, group, Phase.Active);
    }
    for (Workload w : workloads) w.call(ROWS_PER_NODE);
    for (int i = 0; i < NODES; i++) {
      AgentProcess a = agents.get(i);
      Await.until(
          "agent " + i + "'s rows",
          Duration.ofSeconds(60),
          () -> a.get("/api/v1/namespaces/" + ns + "/tracepoints/all").body(),
          b -> b.contains("\"calls\":" + ROWS_PER_NODE));
    }
    AgentProcess.sleep(2000); // the last rows reach the buffers
    String query = "?format=jsonl&limit=100";
    double[] direct =
        time(
            () -> {
              AgentProcess.Answer a =
                  agents.get(0).get("/api/v1/namespaces/" + ns + "/tracepoints/all/events" + query);
              assertEquals(200, a.status(), a.body());
              assertEquals(100, a.body().lines().count());
            });
    System.out.printf(
        "direct at one agent (newest 100 of a full buffer): p50 %.1f ms, p99 %.1f ms%n",
        pct(direct, 50), pct(direct, 99));
    double[] apiServer = time(() -> cluster.client.raw("/api/v1/namespaces/" + ns));
    double[] discovery = time(() -> cluster.client.raw("/apis/query.dynlog.dev/v1alpha1"));
    System.out.printf(
        "for scale: a GET answered by the API server itself p50 %.1f ms, p99 %.1f ms; the query"
            + " API's discovery through the aggregation layer p50 %.1f ms, p99 %.1f ms%n",
        pct(apiServer, 50), pct(apiServer, 99), pct(discovery, 50), pct(discovery, 99));
    for (Map.Entry<Integer, String> e : new TreeMap<>(tracepoints).entrySet()) {
      String path =
          "/apis/query.dynlog.dev/v1alpha1/namespaces/"
              + ns
              + "/tracepoints/"
              + e.getValue()
              + "/events"
              + query;
      double[] through =
          time(
              () -> {
                String body = cluster.client.raw(path);
                assertTrue(
                    body != null
                        && body.lines().filter(l -> !l.contains("\"warning\"")).count() == 100,
                    body);
              });
      System.out.printf(
          "aggregated, %2d agents: p50 %.1f ms, p99 %.1f ms (%.1f× and %.1f× direct)%n",
          e.getKey(),
          pct(through, 50),
          pct(through, 99),
          pct(through, 50) / pct(direct, 50),
          pct(through, 99) / pct(direct, 99));
    }
  }

  interface Query {
    void run() throws Exception;
  }

  static double[] time(Query q) throws Exception {
    for (int i = 0; i < 10; i++) q.run(); // warm-up
    double[] ms = new double[QUERIES];
    for (int i = 0; i < QUERIES; i++) {
      long t0 = System.nanoTime();
      q.run();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return ms;
  }

  static double pct(double[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }
}
