package dev.dynlog.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.PodProbeStatus;
import dev.dynlog.api.v1alpha1.PodReport;
import dev.dynlog.api.v1alpha1.PodState;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.TestOperator;
import dev.dynlog.testing.FakeContainer;
import dev.dynlog.testing.FakeContainer.Layout;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole loop on this machine: {@code kubectl apply} of a Tracepoint (through the real API
 * server) → the real operator writes the node's assignment → the real node agent ({@code dynlog.jar
 * agent}, a separate process, under exactly the chart's agent RBAC rules) traces the real processes
 * the test placed in containers' cgroups → rows at the agent's API, metrics, and each pod's state
 * in the Tracepoint's status. Every count is compared with the processes' own.
 */
@Tag("bpf")
@Tag("apiserver")
class AgentLoopIT {

  static final String NODE = "it-node";
  static final Duration ROWS_TIMEOUT = Duration.ofSeconds(15);

  static Cluster cluster;
  static Path kubeconfig;
  static Path bin;
  static TestOperator operator;
  static AgentProcess agent;

  final List<AutoCloseable> cleanup = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    cluster = new Cluster();
    cluster.fixtures.node(NODE);
    kubeconfig = cluster.agentKubeconfig(cluster.fixtures.namespace("dynlog"));
    bin = Workload.binary();
    operator = TestOperator.start("it-operator", "dynlog-it");
    agent = AgentProcess.start(NODE, kubeconfig);
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

  /** A workload process in a new container of this layout. */
  Workload inContainer(FakeContainer c, long tag) throws Exception {
    Workload w = later(Workload.start(bin, tag));
    c.place(w.pid());
    return w;
  }

  /** The labels that pick a tracepoint's series on the agent's /metrics. */
  static Map<String, String> series(String namespace, String name) {
    return Map.of("namespace", namespace, "tracepoint", name);
  }

  /** Waits until the agent holds {@code count} rows of the tracepoint; returns them. */
  static List<JsonNode> awaitRows(String namespace, String name, int count) {
    List<JsonNode> rows =
        Await.until(
            count + " rows of " + namespace + "/" + name + " at the agent",
            ROWS_TIMEOUT,
            () -> agent.rows(namespace, name, ""),
            r -> r.size() >= count);
    assertEquals(count, rows.size(), "no more rows than calls");
    return rows;
  }

  /** Checks that no row arrives for a while (after calls that must not be traced). */
  static void assertRowsStay(String namespace, String name, int count) {
    AgentProcess.sleep(1500);
    assertEquals(
        count, agent.rows(namespace, name, "").size(), "rows of " + namespace + "/" + name);
  }

  static Map<Long, Long> rowsByPid(List<JsonNode> rows) {
    return rows.stream()
        .collect(
            Collectors.groupingBy(
                r -> r.path("pid").asLong(), TreeMap::new, Collectors.counting()));
  }

  static Tracepoint awaitActive(String ns, String name) {
    return cluster.fixtures.awaitPhase(ns, name, Phase.Active);
  }

  // ------------------------------------------------------------------ scenarios

  @ParameterizedTest(name = "cgroup {0}")
  @EnumSource(Layout.class)
  void attachRowsAndMetricsWithForkedChildrenAndNothingOutside(Layout layout) throws Exception {
    String ns = cluster.fixtures.namespace("shop");
    FakeContainer c = later(FakeContainer.create(layout));
    Workload w = inContainer(c, 1);
    Workload outside = later(Workload.start(bin, 9));
    cluster.running(cluster.pod(ns, "web-1", NODE, Map.of("app", "web")), c, 0);
    Instant created = Instant.now();
    cluster.create(
        Cluster.tracepoint(
            ns, "hot", "web", "hot", new Capture("tag", "t"), new Capture("i", "i")));
    Tracepoint tp = awaitActive(ns, "hot");
    System.out.printf(
        "cgroup %s: Tracepoint Active %d ms after it was created%n",
        layout, Duration.between(created, Instant.now()).toMillis());
    assertEquals(1, tp.getStatus().getAttachedPods());
    PodReport report = tp.getStatus().getPods().get(0);
    assertEquals("web-1", report.getPod());
    assertEquals(NODE, report.getNode());
    assertEquals("attached in 1 process", report.getMessage());
    for (TracepointAssignment a :
        cluster.client.resources(TracepointAssignment.class).inNamespace(ns).list().getItems()) {
      assertEquals(
          agent.base().toString(), a.getStatus().getAgent(), "status.agent: where it serves");
    }

    w.call(200);
    long child = w.fork(150);
    outside.call(100);
    List<JsonNode> rows = awaitRows(ns, "hot", 350);
    assertEquals(
        Map.of(w.pid(), 200L, child, 150L),
        rowsByPid(rows),
        "every call in the container, the forked child's from its first, none outside");
    Set<Long> args = new TreeSet<>();
    for (JsonNode r : rows) {
      assertEquals(ns, r.path("namespace").asText(), r.toString());
      assertEquals("web-1", r.path("pod").asText(), r.toString());
      assertEquals("app", r.path("container").asText(), r.toString());
      assertEquals(NODE, r.path("node").asText(), r.toString());
      assertEquals("hot", r.path("function").asText());
      assertEquals(1, r.path("captures").path("tag").asLong(), r.toString());
      assertTrue(r.path("latency_ns").asLong() > 0, r.toString());
      if (r.path("pid").asLong() == w.pid()) args.add(r.path("captures").path("i").asLong());
    }
    assertEquals(
        LongStream.range(0, 200).boxed().collect(Collectors.toSet()), args, "the arguments i");
    String events = "/api/v1/namespaces/" + ns + "/tracepoints/hot/events";
    assertEquals(401, agent.get(events, null).status(), "no token: refused");
    assertEquals(403, agent.get(events, "garbage").status(), "a token that is none: refused");
    String metrics = agent.metrics();
    assertEquals(350, Prometheus.sum(metrics, "dynlog_calls_total", series(ns, "hot")));
    assertEquals(
        350,
        Prometheus.sum(
            metrics,
            "dynlog_calls_total",
            Map.of("namespace", ns, "tracepoint", "hot", "pod", "web-1", "node", NODE)),
        "the pod's own series");
    assertEquals(
        350, Prometheus.sum(metrics, "dynlog_call_duration_seconds_count", series(ns, "hot")));
    assertEquals(0, Prometheus.sum(metrics, "dynlog_events_dropped_total", series(ns, "hot")));
    // metrics carry no captured value (no metricLabels asked for): rows are for the query API
    assertFalse(
        Pattern.compile("[{,](tag|i)=\"").matcher(metrics).find(), "a captured value as a label");
  }

  @Test
  void aPodThatCannotBeTracedFailsAloneWithAMessage() throws Exception {
    String ns = cluster.fixtures.namespace("shop");
    FakeContainer good = later(FakeContainer.create(Layout.V2));
    FakeContainer empty = later(FakeContainer.create(Layout.V2));
    Workload w = inContainer(good, 2);
    cluster.running(cluster.pod(ns, "web-1", NODE, Map.of("app", "web")), good, 0);
    cluster.running(cluster.pod(ns, "web-2", NODE, Map.of("app", "web")), empty, 0);
    cluster.create(Cluster.tracepoint(ns, "hot", "web", "hot", new Capture("tag", "t")));
    Tracepoint tp = cluster.fixtures.awaitPhase(ns, "hot", Phase.Degraded);
    assertEquals(1, tp.getStatus().getAttachedPods());
    assertEquals(1, tp.getStatus().getFailedPods());
    PodReport failed = tp.getStatus().getPods().get(0);
    assertEquals("web-2", failed.getPod());
    assertEquals(
        "no process in container app (" + empty.id().substring(0, 12) + ")", failed.getMessage());
    cluster.fixtures.awaitEvent(ns, "hot", "AttachFailed");
    w.call(40);
    assertEquals(Map.of(w.pid(), 40L), rowsByPid(awaitRows(ns, "hot", 40)));

    // a function that this image does not have fails with similar names
    cluster.create(Cluster.tracepoint(ns, "typo", "web", "hott"));
    Tracepoint typo = cluster.fixtures.awaitPhase(ns, "typo", Phase.Degraded);
    String message = typo.getStatus().getPods().get(0).getMessage();
    assertTrue(message.startsWith("no function `hott` in " + bin), message);
    assertTrue(message.contains("hot"), message);
  }

  @Test
  void aSpecChangeReplansInPlaceAndKeepsTheOldRows() throws Exception {
    String ns = cluster.fixtures.namespace("shop");
    FakeContainer c = later(FakeContainer.create(Layout.V1));
    Workload w = inContainer(c, 3);
    cluster.running(cluster.pod(ns, "web-1", NODE, Map.of("app", "web")), c, 0);
    cluster.create(Cluster.tracepoint(ns, "hot", "web", "hot", new Capture("i", "i")));
    awaitActive(ns, "hot");
    w.call(50);
    awaitRows(ns, "hot", 50);
    cluster.edit(ns, "hot", s -> s.setCapture(new ArrayList<>(List.of(new Capture("tag", "t")))));
    long generation = cluster.get(ns, "hot").getMetadata().getGeneration();
    assertEquals(2, generation);
    awaitActive(ns, "hot");
    cluster.awaitPodReport(ns, "hot", NODE, "web-1", p -> p.getState() == PodState.Attached);
    w.call(60);
    List<JsonNode> rows = awaitRows(ns, "hot", 110);
    assertEquals(50, rows.stream().filter(r -> r.path("captures").has("i")).count());
    assertEquals(
        60, rows.stream().filter(r -> r.path("captures").path("tag").asLong() == 3).count());
    assertEquals(110, Prometheus.sum(agent.metrics(), "dynlog_calls_total", series(ns, "hot")));
  }

  @Test
  void theTtlExpiresOnTheNodeWithTheOperatorStopped() throws Exception {
    String ns = cluster.fixtures.namespace("shop");
    FakeContainer c = later(FakeContainer.create(Layout.V2));
    Workload w = inContainer(c, 4);
    cluster.running(cluster.pod(ns, "web-1", NODE, Map.of("app", "web")), c, 0);
    Tracepoint tp = Cluster.tracepoint(ns, "brief", "web", "hot");
    tp.getSpec().setTtl("10s");
    cluster.create(tp);
    awaitActive(ns, "brief");
    Instant expiresAt =
        Instant.parse(cluster.assignment(ns, "brief", NODE).getSpec().getExpiresAt());
    operator.close();
    try {
      w.call(30);
      awaitRows(ns, "brief", 30);
      PodProbeStatus expired =
          cluster.awaitPodReport(
              ns, "brief", NODE, "web-1", p -> p.getMessage().contains("ttl expired"));
      assertEquals(PodState.Pending, expired.getState());
      assertFalse(Instant.now().isBefore(expiresAt), "not before expiresAt " + expiresAt);
      w.call(40);
      assertRowsStay(ns, "brief", 30);
      assertEquals(
          0, Prometheus.sum(agent.metrics(), "dynlog_attached_probes", series(ns, "brief")));
    } finally {
      operator = TestOperator.start("it-operator-2", "dynlog-it");
    }
    cluster.fixtures.awaitPhase(ns, "brief", Phase.Expired);
  }

  @Test
  void aDeletedPodIsDetachedAndARestartedContainerReattached() throws Exception {
    String ns = cluster.fixtures.namespace("shop");
    FakeContainer first = later(FakeContainer.create(Layout.V2));
    Workload w1 = inContainer(first, 5);
    Pod pod = cluster.pod(ns, "web-1", NODE, Map.of("app", "web"));
    cluster.running(pod, first, 0);
    cluster.create(Cluster.tracepoint(ns, "hot", "web", "hot", new Capture("tag", "t")));
    awaitActive(ns, "hot");
    w1.call(10);
    awaitRows(ns, "hot", 10);

    // the container restarts: its process ends, a new one starts in a new container ID
    w1.close();
    FakeContainer second = later(FakeContainer.create(pod.getMetadata().getUid(), Layout.V2));
    Workload w2 = inContainer(second, 6);
    cluster.running(pod, second, 1);
    Await.until(
        "the assignment names the new container",
        Duration.ofSeconds(30),
        () -> cluster.assignment(ns, "hot", NODE),
        a ->
            a != null
                && a.getSpec().getPods().get(0).getContainerIDs().contains(second.statusId()));
    cluster.awaitPodReport(
        ns,
        "hot",
        NODE,
        "web-1",
        p -> p.getState() == PodState.Attached && p.getMessage().equals("attached in 1 process"));
    w2.call(20);
    List<JsonNode> rows = awaitRows(ns, "hot", 30);
    assertEquals(Map.of(w1.pid(), 10L, w2.pid(), 20L), rowsByPid(rows));

    // the pod is deleted: nothing of it stays attached
    cluster.fixtures.deletePodNow(ns, "web-1");
    Await.until(
        "no attached probe of " + ns + "/hot",
        Duration.ofSeconds(30),
        () -> Prometheus.sum(agent.metrics(), "dynlog_attached_probes", series(ns, "hot")),
        v -> v.isNaN() || v == 0);
    w2.call(7);
    assertRowsStay(ns, "hot", 30);
  }

  @Test
  void afterKillNineTheKernelHoldsNothingAndARestartedAgentReattachesFromTheAssignments()
      throws Exception {
    String ns = cluster.fixtures.namespace("shop");
    FakeContainer c = later(FakeContainer.create(Layout.V2));
    Workload w = inContainer(c, 7);
    cluster.running(cluster.pod(ns, "web-1", NODE, Map.of("app", "web")), c, 0);
    cluster.create(Cluster.tracepoint(ns, "hot", "web", "hot", new Capture("tag", "t")));
    awaitActive(ns, "hot");
    w.call(10);
    awaitRows(ns, "hot", 10);

    Set<Long> programs = KernelObjects.programsOf(agent.pid());
    Set<Long> links = KernelObjects.linksOf(agent.pid());
    assertFalse(programs.isEmpty(), "bpftool shows the agent's programs");
    assertFalse(links.isEmpty(), "bpftool shows the agent's links");
    agent.kill9();
    Await.until(
        "the kernel to free the killed agent's programs and links",
        Duration.ofSeconds(10),
        () -> {
          try {
            Set<Long> left = new TreeSet<>(KernelObjects.programs());
            left.retainAll(programs);
            Set<Long> leftLinks = new TreeSet<>(KernelObjects.links());
            leftLinks.retainAll(links);
            left.addAll(leftLinks);
            return left;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        Set::isEmpty);
    for (String line : KernelObjects.uprobeEvents()) {
      assertFalse(line.contains(bin.getFileName().toString()), "uprobe_events: " + line);
    }
    w.call(5); // no agent: untraced, and the process is unharmed

    // what the dead agent reported last is now stale
    TracepointAssignment a = cluster.assignment(ns, "hot", NODE);
    cluster.fixtures.agentReports(a, PodState.Failed, "a stale report of a dead agent");
    Instant restarted = Instant.now();
    agent = AgentProcess.start(NODE, kubeconfig);
    Instant serving = Instant.now();
    cluster.awaitPodReport(ns, "hot", NODE, "web-1", p -> p.getState() == PodState.Attached);
    Instant reported = Instant.now();
    System.out.printf(
        "agent restarted: serving after %d ms (JVM start, informer sync), pod reported Attached"
            + " %d ms after that%n",
        Duration.between(restarted, serving).toMillis(),
        Duration.between(serving, reported).toMillis());
    assertTrue(
        Duration.between(serving, reported).toMillis() <= 2000,
        "re-attached and reported within about a second of the informer's sync");
    awaitActive(ns, "hot");
    w.call(25);
    assertEquals(Map.of(w.pid(), 25L), rowsByPid(awaitRows(ns, "hot", 25)));
  }

  @Test
  void theCpuBudgetDetachesAHotLoopAndTheOtherTracepointKeepsRunning() throws Exception {
    String ns = cluster.fixtures.namespace("shop");
    FakeContainer hotC = later(FakeContainer.create(Layout.V2));
    FakeContainer calmC = later(FakeContainer.create(Layout.V1));
    Workload hot = inContainer(hotC, 8);
    Workload calm = inContainer(calmC, 9);
    cluster.running(cluster.pod(ns, "loop-1", NODE, Map.of("app", "loop")), hotC, 0);
    cluster.running(cluster.pod(ns, "calm-1", NODE, Map.of("app", "calm")), calmC, 0);
    cluster.create(Cluster.tracepoint(ns, "steady", "calm", "cold", new Capture("i", "i")));
    Tracepoint loop = Cluster.tracepoint(ns, "loop", "loop", "hot", new Capture("tag", "t"));
    loop.getSpec().getLimits().setMaxEventsPerSecond(10); // rows are cheap; the traps are not
    cluster.create(loop);
    awaitActive(ns, "steady");
    awaitActive(ns, "loop");
    Instant spinning = Instant.now();
    hot.spin();
    Tracepoint degraded = cluster.fixtures.awaitPhase(ns, "loop", Phase.Degraded);
    long tripMs = Duration.between(spinning, Instant.now()).toMillis();
    PodReport report = degraded.getStatus().getPods().get(0);
    System.out.printf(
        "CPU budget: tripped %d ms after the hot loop started: %s%n", tripMs, report.getMessage());
    assertEquals(PodState.Failed, report.getState());
    assertEquals("CpuBudgetExceeded", report.getReason());
    assertTrue(
        report
            .getMessage()
            .matches(
                "over its CPU budget: [0-9,]+ calls/s cost [0-9.]+% of a core \\(limit 5%\\).*"),
        report.getMessage());
    cluster.fixtures.awaitEvent(ns, "loop", "CpuBudgetExceeded");
    String metrics = agent.metrics();
    assertEquals(1, Prometheus.sum(metrics, "dynlog_cpu_budget_trips_total", series(ns, "loop")));
    assertEquals(0, Prometheus.sum(metrics, "dynlog_attached_probes", series(ns, "loop")));
    hot.call(10); // the traced program is unharmed and answers
    // the other tracepoint keeps running, every call of its pod a row
    assertEquals(Phase.Active, cluster.get(ns, "steady").getStatus().getPhase());
    calm.callCold(300);
    assertEquals(Map.of(calm.pid(), 300L), rowsByPid(awaitRows(ns, "steady", 300)));
  }

  static Predicate<PodProbeStatus> state(PodState s) {
    return p -> p.getState() == s;
  }
}
