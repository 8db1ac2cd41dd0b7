package dev.dynlog.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.bpf.BpfObject;
import dev.dynlog.bpf.UprobeLink;
import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.TestOperator;
import dev.dynlog.testing.FakeContainer;
import dev.dynlog.testing.FakeContainer.Layout;
import dev.dynlog.testing.Oracles;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The node agent's figures, on this machine with the real API server, operator and agent process:
 * time from creating a Tracepoint to its first row at the agent's API (binary new to the node, and
 * resolved before), the agent's RSS with 50 tracepoints on 10 processes, and the per-call cost in
 * agent mode against the empty-uprobe floor (the method of {@code TracerBenchmarkTest}). Prints
 * figures; asserts the goals of the agent issue.
 *
 * <p>{@code mvn -B -ntp -Pbenchmark verify -pl integration -am -Dit.test=AgentBenchmarkIT
 * -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class AgentBenchmarkIT {

  static final String NODE = "bench-node";

  static Cluster cluster;
  static TestOperator operator;
  static AgentProcess agent;
  static Path bin;
  final List<AutoCloseable> cleanup = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    cluster = new Cluster();
    cluster.fixtures.node(NODE);
    Path kubeconfig = cluster.agentKubeconfig(cluster.fixtures.namespace("dynlog"));
    bin = Workload.binary();
    operator = TestOperator.start("bench-operator", "dynlog-bench");
    agent =
        AgentProcess.start(
            NODE, kubeconfig, System.getProperty("dynlog.agent.args", "").split(" +"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) agent.close();
    if (operator != null) operator.close();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) cleanup.get(i).close();
  }

  <T extends AutoCloseable> T later(T c) {
    cleanup.add(c);
    return c;
  }

  /** A pod labelled app={@code app} whose container runs {@code binary} calling cold() steadily. */
  Workload pacedPod(String ns, String pod, String app, Path binary) throws Exception {
    FakeContainer c = later(FakeContainer.create(Layout.V2));
    Workload w = later(Workload.start(binary, 0));
    c.place(w.pid());
    cluster.running(cluster.pod(ns, pod, NODE, Map.of("app", app)), c, 0);
    w.pace();
    return w;
  }

  /** Creates a Tracepoint on cold() and returns the ms until its first row is at the agent. */
  long firstRowMs(String ns, String name, String app) {
    long t0 = System.nanoTime();
    cluster.create(Cluster.tracepoint(ns, name, app, "cold", new Capture("i", "i")));
    long deadline = t0 + Duration.ofSeconds(30).toNanos();
    while (agent.rows(ns, name).isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no row of " + name + " within 30 s:\n" + agent.log());
      }
      AgentProcess.sleep(5);
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  @Test
  void createdTracepointToFirstRow() throws Exception {
    String ns = cluster.fixtures.namespace("first");
    int runs = 5;
    long[] cold = new long[runs];
    long[] warm = new long[runs];
    for (int i = 0; i < runs; i++) {
      // a binary new to the node: a copy (another inode) that the agent has never resolved
      Path copy = Files.createTempFile("workload-copy", "");
      Files.copy(bin, copy, StandardCopyOption.REPLACE_EXISTING);
      copy.toFile().setExecutable(true);
      later(() -> Files.deleteIfExists(copy));
      pacedPod(ns, "new-" + i, "new-" + i, copy);
      cold[i] = firstRowMs(ns, "new-" + i, "new-" + i);
      // the same binary again, in the same pod: resolved before on this node
      warm[i] = firstRowMs(ns, "again-" + i, "new-" + i);
      System.out.printf(
          "run %d: Tracepoint created → first row at the agent: new binary %d ms, resolved before %d ms%n",
          i, cold[i], warm[i]);
    }
    long c = median(cold), w = median(warm);
    System.out.printf(
        "created → first row (median of %d): binary new to the node %d ms (goal ≤ 2000),"
            + " resolved before %d ms (goal ≤ 1000)%n",
        runs, c, w);
    assertTrue(c <= 2000, "new binary: " + c + " ms");
    assertTrue(w <= 1000, "resolved before: " + w + " ms");
  }

  @Test
  void rssWithFiftyTracepointsOnTenProcesses() throws Exception {
    String ns = cluster.fixtures.namespace("rss");
    long before = agent.rssKiB();
    for (int p = 0; p < 10; p++) pacedPod(ns, "web-" + p, "web", bin);
    for (int t = 0; t < 50; t++) {
      String function = t % 2 == 0 ? "cold" : "hot";
      Tracepoint tp = Cluster.tracepoint(ns, "tp-" + t, "web", function, new Capture("i", "i"));
      tp.getSpec().getLimits().setMaxEventsPerSecond(100);
      cluster.create(tp);
    }
    for (int t = 0; t < 50; t++) {
      Tracepoint tp = cluster.fixtures.awaitPhase(ns, "tp-" + t, Phase.Active);
      assertEquals(10, tp.getStatus().getAttachedPods(), "tp-" + t);
    }
    AgentProcess.sleep(10_000); // rows flow into the 25 buffers of cold()
    long rss = agent.rssKiB();
    long rows = 0;
    for (int t = 0; t < 50; t += 2) rows += agent.rows(ns, "tp-" + t, "").size();
    System.out.printf(
        "agent RSS: %.1f MiB idle, %.1f MiB with 50 tracepoints on 10 processes (500 attached probes,"
            + " %d rows held) (goal ≤ 150 MiB)%n",
        before / 1024.0, rss / 1024.0, rows);
    System.out.print(agent.memoryBreakdown());
    assertTrue(rows > 0, "rows flowed");
    assertTrue(rss <= 150 * 1024, "RSS " + rss / 1024 + " MiB");
  }

  static final int CALLS = 100_000;
  static final int ROUNDS = 5;

  @Test
  void perCallCostInAgentModeAgainstTheEmptyUprobeFloor() throws Exception {
    Path go = Targets.buildTraceTarget();
    String ns = cluster.fixtures.namespace("cost");
    long entry = Oracles.symbolAddress(go, "main.Bench");
    List<Long> offsets = new ArrayList<>();
    offsets.add(Oracles.fileOffset(go, entry));
    for (long ret : Oracles.retAddresses(go, "main.Bench"))
      offsets.add(Oracles.fileOffset(go, ret));
    double[] none = new double[ROUNDS], empty = new double[ROUNDS], dynlog = new double[ROUNDS];
    try (BpfObject floor = BpfObject.loadEmbedded()) {
      for (int round = 0; round < ROUNDS; round++) {
        none[round] = bench(go, pid -> () -> {});
        empty[round] =
            bench(
                go,
                pid -> {
                  List<UprobeLink> links = new ArrayList<>();
                  for (long off : offsets) {
                    links.add(
                        floor.attachUprobe("dynlog_empty", pid, go.toString(), off, 0, false));
                  }
                  return () -> links.forEach(UprobeLink::close);
                });
        String name = "bench-" + round;
        dynlog[round] =
            bench(
                go,
                pid -> {
                  FakeContainer c = later(FakeContainer.create(Layout.V2));
                  c.place(pid);
                  cluster.running(cluster.pod(ns, name, NODE, Map.of("app", name)), c, 0);
                  Tracepoint tp =
                      Cluster.tracepoint(
                          ns,
                          name,
                          name,
                          "main.Bench",
                          new Capture("a", "a"),
                          new Capture("b", "b"),
                          new Capture("c", "c"),
                          new Capture("r", "$0"));
                  // the benchmark's hot loop is meant to cost a whole core: no CPU budget trip
                  tp.getSpec().getLimits().setMaxCpuPercent(100.0);
                  cluster.create(tp);
                  cluster.fixtures.awaitPhase(ns, name, Phase.Active);
                  return () -> {};
                });
        double calls =
            Prometheus.sum(agent.metrics(), "dynlog_calls_total", AgentLoopIT.series(ns, name));
        assertEquals(CALLS, calls, "every call counted in agent mode");
        // the agent's probes are inode-wide (filtered in the kernel): gone before the next round
        cluster.client.resources(Tracepoint.class).inNamespace(ns).withName(name).delete();
        Await.until(
            "the agent to detach " + name,
            Duration.ofSeconds(30),
            () ->
                Prometheus.sum(
                    agent.metrics(), "dynlog_attached_probes", AgentLoopIT.series(ns, name)),
            v -> v.isNaN() || v == 0);
        System.out.printf(
            "round %d: no probe %.1f ns, empty uprobe %.1f ns, dynlog agent %.1f ns per call%n",
            round, none[round], empty[round], dynlog[round]);
      }
    }
    double n = median(none), e = median(empty), d = median(dynlog);
    System.out.printf(
        "agent mode, calling thread CPU per call (median of %d runs of %d calls): no probe %.1f ns,"
            + " empty uprobe entry+RET %.1f ns, dynlog agent 3 args + result + latency %.1f ns;"
            + " agent / floor = %.3f (goal ≤ 1.1)%n",
        ROUNDS, CALLS, n, e, d, d / e);
    assertTrue(d / e <= 1.1, "agent / floor = " + d / e);
  }

  interface Attach {
    AutoCloseable attach(int pid) throws Exception;
  }

  /** Runs main.Bench CALLS times; returns the calling thread's CPU ns per call. */
  static double bench(Path go, Attach attach) throws Exception {
    try (TargetProcess t = TargetProcess.startPlain(go, "bench", String.valueOf(CALLS))) {
      AutoCloseable detach = attach.attach((int) t.pid());
      t.release();
      List<String> out = t.finishLines(Duration.ofMinutes(2));
      detach.close();
      String[] f = out.get(0).split(" ");
      return Long.parseLong(f[3]) / (double) CALLS;
    }
  }

  static long median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
