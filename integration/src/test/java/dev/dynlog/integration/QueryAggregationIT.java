package dev.dynlog.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.PodState;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.operator.query.QuerySettings;
import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.ServiceAccounts;
import dev.dynlog.operator.testing.TestApiServer;
import dev.dynlog.operator.testing.TestOperator;
import dev.dynlog.testing.FakeContainer;
import dev.dynlog.testing.FakeContainer.Layout;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Reading a Tracepoint's rows from anywhere in the cluster: the real kube-apiserver with its
 * aggregation layer (front-proxy certificate, request-header CA) routes {@code
 * /apis/query.dynlog.dev/v1alpha1/...} to the real operator's query API, which checks the caller
 * with a SubjectAccessReview and fans out to two real agents (two nodes), each answering only the
 * operator's service account. Ground truth: the traced processes' own calls.
 */
@Tag("bpf")
@Tag("apiserver")
class QueryAggregationIT {

  static final String NODE_A = "q-node-a";
  static final String NODE_B = "q-node-b";
  static final Duration AGENT_TIMEOUT = Duration.ofSeconds(3);
  static final ObjectMapper JSON = new ObjectMapper();

  static Cluster cluster;
  static TestApiServer api;
  static String system;
  static Path agentKubeconfig;
  static String operatorUser;
  static TestOperator operator;
  static AgentProcess agentA;
  static AgentProcess agentB;
  static Path bin;
  final List<AutoCloseable> cleanup = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    cluster = new Cluster();
    api = cluster.api;
    cluster.fixtures.node(NODE_A);
    cluster.fixtures.node(NODE_B);
    system = cluster.fixtures.namespace("dynlog");
    agentKubeconfig = cluster.agentKubeconfig(system);
    // the operator shows agents its own service account's token, as in a pod
    String operatorToken =
        ServiceAccounts.create(cluster.client, system, "dynlog-operator", List.of(), List.of());
    Path tokenFile = Files.createTempFile("operator", ".token");
    Files.writeString(tokenFile, operatorToken);
    operatorUser = "system:serviceaccount:" + system + ":dynlog-operator";
    bin = Workload.binary();
    operator =
        TestOperator.start(
            "query-operator",
            "dynlog-query",
            QuerySettings.onPort(0).withAgents(tokenFile, AGENT_TIMEOUT));
    api.registerAggregatedApi("query.dynlog.dev", "v1alpha1", operator.queryPort());
    agentA = AgentProcess.start(NODE_A, agentKubeconfig, "--query-clients", operatorUser);
    agentB = AgentProcess.start(NODE_B, agentKubeconfig, "--query-clients", operatorUser);
  }

  @AfterAll
  static void stop() throws Exception {
    if (agentA != null) agentA.close();
    if (agentB != null) agentB.close();
    if (operator != null) operator.close();
    if (api != null)
      api.kubectl("delete", "apiservice", "v1alpha1.query.dynlog.dev", "--ignore-not-found");
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) cleanup.get(i).close();
  }

  <T extends AutoCloseable> T later(T c) {
    cleanup.add(c);
    return c;
  }

  /** A namespace with pods web-a on node A and web-b on node B, each running a workload. */
  record Scene(String ns, Workload a, Workload b) {}

  Scene scene(String tracepoint) throws Exception {
    String ns = cluster.fixtures.namespace("shop");
    FakeContainer ca = later(FakeContainer.create(Layout.V2));
    FakeContainer cb = later(FakeContainer.create(Layout.V1));
    Workload a = later(Workload.start(bin, 1));
    Workload b = later(Workload.start(bin, 2));
    ca.place(a.pid());
    cb.place(b.pid());
    cluster.running(cluster.pod(ns, "web-a", NODE_A, Map.of("app", "web")), ca, 0);
    cluster.running(cluster.pod(ns, "web-b", NODE_B, Map.of("app", "web")), cb, 0);
    cluster.create(Cluster.tracepoint(ns, tracepoint, "web", "hot", new Capture("tag", "t")));
    cluster.fixtures.awaitPhase(ns, tracepoint, Phase.Active);
    return new Scene(ns, a, b);
  }

  static String path(String ns, String name) {
    return "/apis/query.dynlog.dev/v1alpha1/namespaces/" + ns + "/tracepoints/" + name + "/events";
  }

  static List<JsonNode> jsonLines(List<String> lines) throws IOException {
    List<JsonNode> rows = new ArrayList<>();
    for (String l : lines) {
      if (l.isBlank()) continue;
      JsonNode n = JSON.readTree(l);
      if (!n.has("warning")) rows.add(n);
    }
    return rows;
  }

  static Map<Long, Long> byPid(List<JsonNode> rows) {
    return rows.stream()
        .collect(
            Collectors.groupingBy(
                r -> r.path("pid").asLong(), TreeMap::new, Collectors.counting()));
  }

  /** A kubeconfig of a new service account in {@code ns} holding {@code rules} there. */
  Path user(String ns, String name, List<PolicyRule> rules) throws IOException {
    String token = ServiceAccounts.create(cluster.client, ns, name, List.of(), rules);
    Path file = Files.createTempFile(name, ".kubeconfig");
    Files.writeString(file, api.tokenKubeconfig(token));
    return file;
  }

  static final PolicyRule READ_EVENTS =
      new PolicyRuleBuilder()
          .withApiGroups("query.dynlog.dev")
          .withResources("tracepoints/events")
          .withVerbs("get")
          .build();

  Path adminKubeconfig() throws IOException {
    Path file = Files.createTempFile("admin", ".kubeconfig");
    Files.writeString(file, api.adminKubeconfig());
    return file;
  }

  // ------------------------------------------------------------------ scenarios

  @Test
  void rowsOfBothNodesMergedByTimeThroughKubectlAndDynlogEvents() throws Exception {
    Scene s = scene("hot");
    s.a().call(10);
    s.b().call(10);
    s.a().call(10);
    s.b().call(10);
    Await.until(
        "each agent to hold its 20 rows",
        Duration.ofSeconds(15),
        () -> agentA.rows(s.ns(), "hot").size() + "/" + agentB.rows(s.ns(), "hot").size(),
        v -> v.equals("20/20"));

    TestApiServer.Outcome raw =
        api.kubectlAs(
            adminKubeconfig(),
            "get",
            "--raw",
            path(s.ns(), "hot") + "?format=jsonl&order=oldest&limit=1000");
    assertEquals(0, raw.exitCode(), raw.output());
    List<JsonNode> viaKubectl = jsonLines(raw.output().lines().toList());
    assertEquals(Map.of(s.a().pid(), 20L, s.b().pid(), 20L), byPid(viaKubectl));
    List<Instant> ts = viaKubectl.stream().map(r -> Instant.parse(r.path("ts").asText())).toList();
    for (int i = 1; i < ts.size(); i++) {
      assertTrue(
          !ts.get(i).isBefore(ts.get(i - 1)),
          "merged by time: " + ts.get(i - 1) + " then " + ts.get(i));
    }
    assertEquals(
        List.of(NODE_A, NODE_B),
        viaKubectl.stream().map(r -> r.path("node").asText()).distinct().sorted().toList());
    for (JsonNode r : viaKubectl) {
      assertEquals(
          r.path("node").asText().equals(NODE_A) ? "web-a" : "web-b", r.path("pod").asText());
      assertEquals(
          r.path("pod").asText().equals("web-a") ? 1 : 2, r.path("captures").path("tag").asLong());
    }

    EventsCli.Result cli =
        EventsCli.run(
            "hot",
            "-n",
            s.ns(),
            "--kubeconfig",
            adminKubeconfig().toString(),
            "-o",
            "jsonl",
            "--order",
            "oldest",
            "--limit",
            "1000");
    assertEquals(0, cli.exitCode(), cli.stderr());
    List<JsonNode> viaCli = jsonLines(cli.stdout());
    assertEquals(
        viaKubectl.stream().map(JsonNode::toString).toList(),
        viaCli.stream().map(JsonNode::toString).toList(),
        "dynlog events -n gives the same rows as kubectl get --raw");

    // -f follows both nodes, and ends when the Tracepoint is deleted
    try (EventsCli follow =
        EventsCli.start(
            "hot",
            "-n",
            s.ns(),
            "--kubeconfig",
            adminKubeconfig().toString(),
            "-o",
            "jsonl",
            "-f")) {
      AgentProcess.sleep(1500);
      s.a().call(5);
      s.b().call(7);
      Await.until(
          "the follow to print the 12 new rows of both nodes",
          Duration.ofSeconds(15),
          () -> {
            try {
              return byPid(
                  jsonLines(follow.lines()).stream()
                      .filter(
                          r ->
                              !ts.isEmpty()
                                  && Instant.parse(r.path("ts").asText())
                                      .isAfter(ts.get(ts.size() - 1)))
                      .toList());
            } catch (IOException e) {
              throw new IllegalStateException(e);
            }
          },
          m -> m.equals(Map.of(s.a().pid(), 5L, s.b().pid(), 7L)));
      cluster.client.resources(Tracepoint.class).inNamespace(s.ns()).withName("hot").delete();
      EventsCli.Result ended = follow.await(30);
      assertEquals(
          0, ended.exitCode(), "a follow ends cleanly when the Tracepoint goes: " + ended.stderr());
    }
  }

  @Test
  void rbacDecidesWhoReadsWhatAndTheAgentsAnswerOnlyTheOperator() throws Exception {
    Scene s = scene("hot");
    String other = cluster.fixtures.namespace("other");
    s.a().call(3);
    Await.until(
        "agent A's rows",
        Duration.ofSeconds(15),
        () -> agentA.rows(s.ns(), "hot").size(),
        n -> n == 3);
    Path reader = user(s.ns(), "reader", List.of(READ_EVENTS));
    Path nobody = user(s.ns(), "nobody", List.of());

    EventsCli.Result ok =
        EventsCli.run("hot", "-n", s.ns(), "--kubeconfig", reader.toString(), "-o", "jsonl");
    assertEquals(0, ok.exitCode(), ok.stderr());
    assertEquals(Map.of(s.a().pid(), 3L), byPid(jsonLines(ok.stdout())));

    EventsCli.Result denied = EventsCli.run("hot", "-n", s.ns(), "--kubeconfig", nobody.toString());
    assertEquals(1, denied.exitCode());
    assertTrue(denied.stderr().contains("forbidden"), denied.stderr());
    assertTrue(
        denied.stderr().contains("system:serviceaccount:" + s.ns() + ":nobody"), denied.stderr());
    TestApiServer.Outcome rawDenied = api.kubectlAs(nobody, "get", "--raw", path(s.ns(), "hot"));
    assertTrue(
        rawDenied.exitCode() != 0 && rawDenied.output().contains("forbidden"), rawDenied.output());

    // the right in one namespace is not the right in another
    EventsCli.Result elsewhere =
        EventsCli.run("hot", "-n", other, "--kubeconfig", reader.toString());
    assertEquals(1, elsewhere.exitCode());
    assertTrue(elsewhere.stderr().contains("forbidden"), elsewhere.stderr());

    // the agents answer only the operator: no token, or a reader's token, is refused
    String rows = "/api/v1/namespaces/" + s.ns() + "/tracepoints/hot/events";
    assertEquals(401, agentA.get(rows, null).status());
    assertEquals(403, agentA.get(rows, AgentProcess.token(reader)).status());
  }

  @Test
  void aNodeWhoseAgentIsDownGivesThePartialAnswerWithAWarningWithinTheTimeout() throws Exception {
    Scene s = scene("hot");
    s.a().call(4);
    s.b().call(6);
    Await.until(
        "both agents' rows",
        Duration.ofSeconds(15),
        () -> agentA.rows(s.ns(), "hot").size() + "/" + agentB.rows(s.ns(), "hot").size(),
        v -> v.equals("4/6"));
    agentB.kill9();
    try {
      long t0 = System.nanoTime();
      EventsCli.Result partial =
          EventsCli.run(
              "hot", "-n", s.ns(), "--kubeconfig", adminKubeconfig().toString(), "-o", "jsonl");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(0, partial.exitCode(), partial.stderr());
      assertEquals(Map.of(s.a().pid(), 4L), byPid(jsonLines(partial.stdout())), "node A's rows");
      assertTrue(
          partial.stderr().contains(NODE_B),
          "a warning names the silent node: " + partial.stderr());
      System.out.printf(
          "one agent down: partial answer in %d ms (agent timeout %s)%n", ms, AGENT_TIMEOUT);
      assertTrue(ms < AGENT_TIMEOUT.toMillis() + 10_000, "within the timeout: " + ms + " ms");
    } finally {
      agentB = AgentProcess.start(NODE_B, agentKubeconfig, "--query-clients", operatorUser);
    }
  }

  @Test
  void aFollowSurvivesAnAgentRestartAndSaysSo() throws Exception {
    Scene s = scene("hot");
    try (EventsCli follow =
        EventsCli.start(
            "hot",
            "-n",
            s.ns(),
            "--kubeconfig",
            adminKubeconfig().toString(),
            "-o",
            "jsonl",
            "-f")) {
      AgentProcess.sleep(1500);
      s.b().call(3);
      Await.until(
          "node B's first rows in the follow",
          Duration.ofSeconds(15),
          () -> rowsOf(follow, s.b().pid()),
          n -> n == 3);
      agentB.kill9();
      agentB = AgentProcess.start(NODE_B, agentKubeconfig, "--query-clients", operatorUser);
      // the dead agent's last report still says Attached: wait for the new agent's own
      String url = agentB.base().toString().replaceAll("/$", "");
      Await.until(
          "the restarted agent's report (status.agent " + url + ")",
          Duration.ofSeconds(30),
          () -> cluster.assignment(s.ns(), "hot", NODE_B),
          a ->
              a != null
                  && a.getStatus() != null
                  && a.getStatus().getAgent() != null
                  && a.getStatus().getAgent().replaceAll("/$", "").equals(url)
                  && a.getStatus().getPods().stream()
                      .allMatch(p -> p.getState() == PodState.Attached));
      s.b().call(4);
      Await.until(
          "node B's rows after its agent restarted",
          Duration.ofSeconds(30),
          () -> rowsOf(follow, s.b().pid()),
          n -> n == 7);
      String stderr = Files.readString(follow.stderr);
      assertTrue(stderr.contains(NODE_B) && stderr.contains("reconnected"), stderr);
      assertTrue(follow.process.isAlive(), "still following");
    }
  }

  static long rowsOf(EventsCli follow, long pid) {
    try {
      return jsonLines(follow.lines()).stream().filter(r -> r.path("pid").asLong() == pid).count();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
