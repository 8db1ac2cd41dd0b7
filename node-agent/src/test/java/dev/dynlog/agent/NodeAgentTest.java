package dev.dynlog.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.api.v1alpha1.AssignedPod;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.Limits;
import dev.dynlog.api.v1alpha1.PodProbeStatus;
import dev.dynlog.api.v1alpha1.PodState;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.api.v1alpha1.TracepointAssignmentSpec;
import dev.dynlog.http.AgentHttpServer;
import dev.dynlog.http.Http;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.metrics.PromText;
import dev.dynlog.proc.ProcessTable;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.store.TracepointState;
import dev.dynlog.testing.FakeContainer;
import dev.dynlog.testing.FakeContainer.Layout;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import dev.dynlog.trace.Row;
import dev.dynlog.trace.Tracer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The node agent's core on the real tracer, with real processes in cgroups named as the kubelet
 * names containers' (cgroup v1 and cgroup2): assignments attach per pod, rows carry the pod and
 * equal the processes' own counts, processes forked later in a container are traced and a process
 * of the same binary outside it never is, and the lifecycle (spec change, pod removal, container
 * restart, expiry, exit) detaches and reports.
 */
@Tag("bpf")
class NodeAgentTest {
  /**
   * Prints "ready", waits for a line, calls hot() n times, then forks `children` doing the same.
   */
  static final String SOURCE =
      """
      #include <stdio.h>
      #include <stdlib.h>
      #include <sys/wait.h>
      #include <unistd.h>
      __attribute__((noinline)) long hot(long i, long tag) { __asm__ volatile(""); return i * 2 + tag; }
      static void calls(const char *who, long n, long tag) {
        long sum = 0;
        for (long i = 0; i < n; i++) sum += hot(i, tag);
        printf("%s %d %ld\\n", who, getpid(), n);
        fflush(stdout);
      }
      int main(int argc, char **argv) {
        long n = atol(argv[1]);
        int children = atoi(argv[2]);
        long tag = argc > 3 ? atol(argv[3]) : 0;
        char line[16];
        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("ready\\n");
        if (!fgets(line, sizeof line, stdin)) return 2;
        calls("main", n, tag);
        for (int c = 0; c < children; c++) {
          pid_t p = fork();
          if (p == 0) { calls("child", n, tag); _exit(0); }
          waitpid(p, NULL, 0);
        }
        if (argc > 4) sleep(atoi(argv[4]));
        return 0;
      }
      """;

  static final Duration RUN = Duration.ofMinutes(2);
  static final String NODE = "node-a";

  static Tracer tracer;
  static Path bin;

  TracepointRegistry registry;
  NodeAgent agent;
  final Map<String, List<PodProbeStatus>> reports = new ConcurrentHashMap<>();
  final Map<String, Long> reportedGeneration = new ConcurrentHashMap<>();
  final List<AutoCloseable> cleanup = new ArrayList<>();
  Instant now = Instant.now();

  @BeforeAll
  static void open() throws Exception {
    bin = Targets.buildC("agenttarget", SOURCE, "-g", "-O2");
    tracer = Tracer.open();
  }

  @AfterAll
  static void closeTracer() {
    if (tracer != null) tracer.close();
  }

  @BeforeEach
  void start() {
    registry = new TracepointRegistry(StoreConfig.DEFAULT);
    Clock clock =
        new Clock() {
          @Override
          public ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now;
          }
        };
    agent =
        new NodeAgent(
            new NodeAgent.Options(NODE, Duration.ofMillis(100), System.err),
            tracer,
            registry,
            ProcessTable.host(),
            (ns, name, gen, pods) -> {
              reports.put(ns + "/" + name, pods);
              reportedGeneration.put(ns + "/" + name, gen);
            },
            clock);
  }

  @AfterEach
  void stop() throws Exception {
    agent.close();
    for (int i = cleanup.size() - 1; i >= 0; i--) cleanup.get(i).close();
  }

  <T extends AutoCloseable> T later(T c) {
    cleanup.add(c);
    return c;
  }

  static ProbeSpec probe(String function, String processName, Capture... captures) {
    ProbeSpec p = new ProbeSpec();
    p.setFunction(function);
    p.setCapture(List.of(captures));
    p.setProcessName(processName);
    p.setLimits(Limits.effective(new Limits(100_000, null, null)));
    return p;
  }

  static AssignedPod pod(String name, FakeContainer c) {
    AssignedPod p = new AssignedPod(name, c.podUid(), List.of(c.statusId()));
    p.setContainerNames(Map.of(c.statusId(), "app"));
    return p;
  }

  static TracepointAssignment assignment(
      String name, long generation, ProbeSpec probe, Instant expiresAt, AssignedPod... pods) {
    TracepointAssignment a = new TracepointAssignment();
    a.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("shop")
            .withName(name + "-" + NODE)
            .withGeneration(generation)
            .build());
    TracepointAssignmentSpec s = new TracepointAssignmentSpec();
    s.setTracepoint(name);
    s.setNodeName(NODE);
    s.setProbe(probe);
    s.setExpiresAt(expiresAt == null ? null : expiresAt.toString());
    s.setPods(List.of(pods));
    a.setSpec(s);
    return a;
  }

  /** pid → calls from "who PID N" lines. */
  static Map<Integer, Long> calls(List<String> lines) {
    Map<Integer, Long> out = new HashMap<>();
    for (String l : lines) {
      String[] f = l.split(" ");
      out.put(Integer.parseInt(f[1]), Long.parseLong(f[2]));
    }
    return out;
  }

  static Map<Integer, Long> rowsByPid(StoredTracepoint tp) {
    return Arrays.stream(tp.buffer().snapshot())
        .collect(Collectors.groupingBy(Row::pid, Collectors.counting()))
        .entrySet()
        .stream()
        .collect(Collectors.toMap(e -> e.getKey(), e -> e.getValue()));
  }

  void awaitReport(String key, Supplier<Boolean> done) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!done.get()) {
      if (System.nanoTime() > deadline)
        throw new AssertionError("no such report for " + key + ": " + reports.get(key));
      Thread.sleep(20);
    }
  }

  @Test
  void podsOfBothCgroupLayoutsAreTracedWithTheirForkedChildrenAndNothingElse() throws Exception {
    long n = 300;
    FakeContainer v1 = later(FakeContainer.create(Layout.V1));
    FakeContainer v2 = later(FakeContainer.create(Layout.V2));
    TargetProcess a = later(TargetProcess.startPlain(bin, String.valueOf(n), "2", "1"));
    TargetProcess b = later(TargetProcess.startPlain(bin, String.valueOf(n), "1", "2"));
    TargetProcess outside = later(TargetProcess.startPlain(bin, String.valueOf(n), "1", "3"));
    v1.place(a.pid());
    v2.place(b.pid());
    agent.apply(
        assignment(
            "hot",
            1,
            probe("hot", null, new Capture("tag", "tag")),
            null,
            pod("web-1", v1),
            pod("web-2", v2)));
    agent.sync();
    String key = "shop/hot-" + NODE;
    List<PodProbeStatus> status = reports.get(key);
    assertEquals(
        List.of(PodState.Attached, PodState.Attached),
        status.stream().map(PodProbeStatus::getState).toList(),
        status.toString());
    assertEquals("attached in 1 process", status.get(0).getMessage());
    assertEquals(1, agent.resolutions(), "one binary, resolved once for both pods");
    a.release();
    b.release();
    outside.release();
    Map<Integer, Long> inA = calls(a.finishLines(RUN));
    Map<Integer, Long> inB = calls(b.finishLines(RUN));
    Map<Integer, Long> out = calls(outside.finishLines(RUN));
    tracer.flush();
    StoredTracepoint tp = registry.find("shop/hot").orElseThrow();
    Map<Integer, Long> expected = new HashMap<>(inA);
    expected.putAll(inB);
    assertEquals(5, expected.size(), "two mains and three forked children");
    assertEquals(
        expected,
        rowsByPid(tp),
        "every call of the pods' processes, forked ones from their first call");
    for (Row r : tp.buffer().snapshot()) {
      assertFalse(out.containsKey(r.pid()), "a process outside the pods: " + r);
      Row.Source s = r.source();
      assertEquals("shop", s.namespace());
      assertEquals("app", s.container());
      assertEquals(NODE, s.node());
      assertEquals(inA.containsKey(r.pid()) ? "web-1" : "web-2", s.pod());
      assertEquals(inA.containsKey(r.pid()) ? 1L : 2L, r.captures().get("tag"));
    }
    assertEquals(5 * n, tp.counters().calls(), "kernel-counted calls of both pods");
  }

  /** Calls of every process of a target, from its own ground truth. */
  static long total(Map<Integer, Long> calls) {
    return calls.values().stream().mapToLong(Long::longValue).sum();
  }

  @Test
  void metricsAndTheNamespacedApiArePerPodAndEqualEachPodsOwnCalls() throws Exception {
    FakeContainer v1 = later(FakeContainer.create(Layout.V1));
    FakeContainer v2 = later(FakeContainer.create(Layout.V2));
    TargetProcess a = later(TargetProcess.startPlain(bin, "300", "1", "1"));
    TargetProcess b = later(TargetProcess.startPlain(bin, "170", "0", "2"));
    v1.place(a.pid());
    v2.place(b.pid());
    agent.apply(
        assignment(
            "perpod",
            1,
            probe("hot", null, new Capture("tag", "tag")),
            null,
            pod("web-1", v1),
            pod("web-2", v2)));
    agent.sync();
    DynlogMetrics metrics = later(new DynlogMetrics(registry));
    AgentHttpServer server =
        later(AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, metrics));
    URI base = server.baseUri();
    PromText before = new PromText(Http.get(base, "/metrics").body());
    assertEquals(0.0, before.value("dynlog_calls_total", "tracepoint", "perpod", "pod", "web-1"));
    // while the processes live: each pod has its probe (after they exit, the agent detaches)
    assertEquals(
        1.0, before.value("dynlog_attached_probes", "tracepoint", "perpod", "pod", "web-1"));
    assertEquals(
        1.0, before.value("dynlog_attached_probes", "tracepoint", "perpod", "pod", "web-2"));
    a.release();
    b.release();
    Map<Integer, Long> inA = calls(a.finishLines(RUN));
    Map<Integer, Long> inB = calls(b.finishLines(RUN));
    tracer.flush();
    assertEquals(600, total(inA), "web-1: main and one child, 300 calls each");
    assertEquals(170, total(inB));

    PromText text = new PromText(Http.get(base, "/metrics").body());
    String[] tp = {"namespace", "shop", "tracepoint", "perpod", "node", NODE};
    assertEquals(
        total(inA), (long) text.value("dynlog_calls_total", with(tp, "pod", "web-1")), "web-1");
    assertEquals(
        total(inB), (long) text.value("dynlog_calls_total", with(tp, "pod", "web-2")), "web-2");
    // a pod's probe runs on every hit of the binary's uprobes on this node and filters in the
    // kernel: its runs include the other pod's calls (filtered; and those of any other process of
    // the same binary, e.g. a concurrent test's)
    double runs = text.value("dynlog_probe_runs_total", with(tp, "pod", "web-1"));
    assertTrue(runs >= total(inA) + total(inB), "web-1's probe ran for both pods: " + runs);
    assertEquals(total(inA) + total(inB), (long) text.value("dynlog_rows_total", tp));

    ObjectMapper json = new ObjectMapper();
    String events = "/api/v1/namespaces/shop/tracepoints/perpod/events?limit=100000&where=pod%3D";
    for (String pod : List.of("web-1", "web-2")) {
      Map<Integer, Long> truth = pod.equals("web-1") ? inA : inB;
      JsonNode answer = json.readTree(Http.get(base, events + pod).body());
      assertEquals("perpod", answer.get("tracepoint").asText());
      assertEquals(total(truth), answer.get("count").asLong(), pod);
      Map<Integer, Long> byPid = new HashMap<>();
      for (JsonNode r : answer.get("rows")) {
        assertEquals(pod, r.get("pod").asText());
        assertEquals("shop", r.get("namespace").asText());
        assertEquals("app", r.get("container").asText());
        assertEquals(NODE, r.get("node").asText());
        byPid.merge(r.get("pid").asInt(), 1L, Long::sum);
      }
      assertEquals(truth, byPid, pod + ": every call of its processes, per process");
    }

    // web-2 leaves the assignment: its series stays, its counters do not go back
    agent.apply(
        assignment(
            "perpod", 1, probe("hot", null, new Capture("tag", "tag")), null, pod("web-1", v1)));
    agent.sync();
    PromText after = new PromText(Http.get(base, "/metrics").body());
    assertEquals(
        total(inB), (long) after.value("dynlog_calls_total", with(tp, "pod", "web-2")), "retired");
    assertEquals(0.0, after.value("dynlog_attached_probes", with(tp, "pod", "web-2")));
    assertEquals(
        total(inA), (long) after.value("dynlog_calls_total", with(tp, "pod", "web-1")), "web-1");
  }

  static String[] with(String[] labels, String... more) {
    String[] out = Arrays.copyOf(labels, labels.length + more.length);
    System.arraycopy(more, 0, out, labels.length, more.length);
    return out;
  }

  @Test
  void problemsFailThePodWithAMessageAndNothingElse() throws Exception {
    FakeContainer c = later(FakeContainer.create(Layout.V2));
    FakeContainer empty = later(FakeContainer.create(Layout.V2));
    TargetProcess t = later(TargetProcess.startPlain(bin, "10", "0"));
    c.place(t.pid());
    agent.apply(assignment("missing", 1, probe("hott", null), null, pod("p", c)));
    agent.apply(assignment("name", 1, probe("hot", "^server$"), null, pod("p", c)));
    agent.apply(assignment("gone", 1, probe("hot", null), null, pod("q", empty)));
    agent.apply(assignment("good", 1, probe("hot", null), null, pod("p", c)));
    agent.sync();
    String missing = reports.get("shop/missing-" + NODE).get(0).getMessage();
    assertTrue(missing.startsWith("no function `hott` in " + bin), missing);
    assertTrue(missing.contains("hot"), "names similar functions: " + missing);
    assertFalse(
        missing.contains("/proc/self/fd"),
        "names the binary by its path in the container: " + missing);
    assertEquals(PodState.Failed, reports.get("shop/missing-" + NODE).get(0).getState());
    String name = reports.get("shop/name-" + NODE).get(0).getMessage();
    assertEquals(
        "no process in container app matches processName ^server$; processes are [agenttarget]",
        name);
    String gone = reports.get("shop/gone-" + NODE).get(0).getMessage();
    assertEquals("no process in container app (" + empty.id().substring(0, 12) + ")", gone);
    assertEquals(
        PodState.Attached,
        reports.get("shop/good-" + NODE).get(0).getState(),
        "the others do not fail the good one");
    t.release();
    assertEquals(10, calls(t.finishLines(RUN)).values().iterator().next());
    tracer.flush();
    assertEquals(10, registry.find("shop/good").orElseThrow().buffer().snapshot().length);
  }

  @Test
  void aNewGenerationReplansAndKeepsTheRowsOfTheOldOne() throws Exception {
    FakeContainer c = later(FakeContainer.create(Layout.V1));
    TargetProcess first = later(TargetProcess.startPlain(bin, "50", "0", "7"));
    c.place(first.pid());
    agent.apply(assignment("gen", 1, probe("hot", null, new Capture("i", "i")), null, pod("p", c)));
    agent.sync();
    first.release();
    first.finishLines(RUN);
    TargetProcess second = later(TargetProcess.startPlain(bin, "50", "0", "8"));
    c.place(second.pid());
    agent.apply(
        assignment("gen", 2, probe("hot", null, new Capture("tag", "tag")), null, pod("p", c)));
    agent.sync();
    assertEquals(2L, reportedGeneration.get("shop/gen-" + NODE));
    assertEquals(PodState.Attached, reports.get("shop/gen-" + NODE).get(0).getState());
    second.release();
    second.finishLines(RUN);
    tracer.flush();
    StoredTracepoint tp = registry.find("shop/gen").orElseThrow();
    List<Row> rows = List.of(tp.buffer().snapshot());
    assertEquals(100, rows.size(), "rows of both generations");
    assertEquals(50, rows.stream().filter(r -> r.captures().containsKey("i")).count());
    assertEquals(
        50, rows.stream().filter(r -> Long.valueOf(8).equals(r.captures().get("tag"))).count());
    assertEquals(100, tp.counters().calls(), "counters only grow across generations");
    assertEquals(List.of("tag"), tp.info().captures());
  }

  @Test
  void removalRestartExpiryAndExit() throws Exception {
    FakeContainer c = later(FakeContainer.create(Layout.V2));
    TargetProcess t = later(TargetProcess.startPlain(bin, "20", "0", "0", "2"));
    c.place(t.pid());
    Instant expires = now.plusSeconds(60);
    agent.apply(assignment("life", 1, probe("hot", null), expires, pod("p", c)));
    agent.sync();
    String key = "shop/life-" + NODE;
    assertEquals(PodState.Attached, reports.get(key).get(0).getState());
    // the container restarts: a new container ID for the same pod, as the next generation shows it
    FakeContainer restarted = later(FakeContainer.create(c.podUid(), Layout.V2));
    TargetProcess t2 = later(TargetProcess.startPlain(bin, "30", "0"));
    restarted.place(t2.pid());
    agent.apply(assignment("life", 2, probe("hot", null), expires, pod("p", restarted)));
    agent.sync();
    assertEquals(PodState.Attached, reports.get(key).get(0).getState());
    t2.release();
    t2.finishLines(RUN);
    tracer.flush();
    assertEquals(30, registry.find("shop/life").orElseThrow().buffer().snapshot().length);
    // the process exits: detached, pending until one is back
    awaitReport(key, () -> reports.get(key).get(0).getState() == PodState.Pending);
    assertTrue(
        reports.get(key).get(0).getMessage().contains("exited"), reports.get(key).toString());
    // the ttl passes (the operator may be gone): detached and expired
    TargetProcess t3 = later(TargetProcess.startPlain(bin, "5", "0"));
    restarted.place(t3.pid());
    awaitReport(key, () -> reports.get(key).get(0).getState() == PodState.Attached);
    now = expires.plusSeconds(1);
    awaitReport(key, () -> reports.get(key).get(0).getMessage().contains("ttl expired"));
    assertEquals(TracepointState.EXPIRED, registry.find("shop/life").orElseThrow().state());
    t3.release();
    t3.finishLines(RUN);
    tracer.flush();
    assertEquals(
        30,
        registry.find("shop/life").orElseThrow().buffer().snapshot().length,
        "no row after expiry");
    // the assignment is deleted: stopped
    agent.delete("shop", "life-" + NODE);
    agent.sync();
    assertTrue(
        Set.of(TracepointState.STOPPED, TracepointState.EXPIRED)
            .contains(registry.find("shop/life").orElseThrow().state()));
  }

  /**
   * Found by the integration test: after the ttl expired, the informer delivers the same generation
   * again (a resync, or the agent's own status write) and the agent must not attach it again; a
   * renewed ttl (a new generation) attaches and keeps the rows of before.
   */
  @Test
  void anExpiredGenerationSeenAgainStaysDetachedAndARenewalKeepsTheRows() throws Exception {
    FakeContainer c = later(FakeContainer.create(Layout.V2));
    TargetProcess first = later(TargetProcess.startPlain(bin, "15", "0", "0", "5"));
    c.place(first.pid());
    Instant expires = now.plusSeconds(60);
    TracepointAssignment gen1 = assignment("ttl", 1, probe("hot", null), expires, pod("p", c));
    agent.apply(gen1);
    agent.sync();
    String key = "shop/ttl-" + NODE;
    first.release();
    assertEquals(15, calls(first.finishLines(RUN)).values().iterator().next());
    tracer.flush();
    now = expires.plusSeconds(1);
    awaitReport(key, () -> reports.get(key).get(0).getMessage().contains("ttl expired"));
    agent.apply(gen1); // the informer sees the same generation again
    agent.sync();
    TargetProcess second = later(TargetProcess.startPlain(bin, "25", "0"));
    c.place(second.pid());
    second.release();
    second.finishLines(RUN);
    tracer.flush();
    StoredTracepoint tp = registry.find("shop/ttl").orElseThrow();
    assertEquals(TracepointState.EXPIRED, tp.state());
    assertEquals(15, tp.buffer().snapshot().length, "no row after expiry: " + reports.get(key));
    assertTrue(reports.get(key).get(0).getMessage().contains("ttl expired"));

    // renewed: a new generation with a later expiresAt attaches again and keeps the 15 rows
    TargetProcess third = later(TargetProcess.startPlain(bin, "35", "0"));
    c.place(third.pid());
    agent.apply(assignment("ttl", 2, probe("hot", null), now.plusSeconds(60), pod("p", c)));
    agent.sync();
    assertEquals(
        PodState.Attached, reports.get(key).get(0).getState(), reports.get(key).toString());
    third.release();
    third.finishLines(RUN);
    tracer.flush();
    StoredTracepoint renewed = registry.find("shop/ttl").orElseThrow();
    assertEquals(TracepointState.RUNNING, renewed.state());
    assertEquals(50, renewed.buffer().snapshot().length, "the rows of both ttls");
    assertEquals(50, renewed.counters().calls(), "counters keep counting");
  }
}
