package dev.dynlog.operator.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.api.v1alpha1.TracepointAssignmentSpec;
import dev.dynlog.api.v1alpha1.TracepointAssignmentStatus;
import dev.dynlog.api.v1alpha1.TracepointStatus;
import dev.dynlog.operator.testing.ApiServerTest;
import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.Fixtures;
import dev.dynlog.operator.testing.TestOperator;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The query server against the real API server: the request-header ConfigMap, SubjectAccessReviews
 * decided by real RBAC Roles, and fan-out to fake agents (two answering, one silent). The path
 * through the kube-apiserver's aggregation layer is tested in integration/.
 */
@Tag("apiserver")
@ApiServerTest
class QueryServerTest {

  private static final String PROXY_CN = "front-proxy-client";
  private static final Duration AGENT_TIMEOUT = Duration.ofMillis(1500);

  private static KubernetesClient admin;
  private static Fixtures fx;
  private static QueryServer server;
  private static FakeAgent agentA;
  private static FakeAgent agentB;
  private static FakeAgent silent;
  private static HttpClient proxy;
  private static HttpClient rogue;
  private static HttpClient anonymous;
  private static String shop;
  private static String other;

  @BeforeAll
  static void start(KubernetesClient client, Fixtures fixtures) throws Exception {
    admin = client;
    fx = fixtures;
    KeyPair caKeys = Certificates.rsaKeyPair();
    X509Certificate ca = Certificates.selfSigned("test-front-proxy-ca", caKeys, List.of());
    KeyPair proxyKeys = Certificates.rsaKeyPair();
    X509Certificate proxyCert =
        Certificates.issue(
            PROXY_CN,
            proxyKeys.getPublic(),
            "test-front-proxy-ca",
            caKeys.getPrivate(),
            false,
            List.of(),
            Duration.ofHours(1));
    KeyPair rogueKeys = Certificates.rsaKeyPair();
    X509Certificate rogueCert = Certificates.selfSigned(PROXY_CN, rogueKeys, List.of());

    String auth = fx.namespace("qauth");
    admin
        .configMaps()
        .inNamespace(auth)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("extension-apiserver-authentication")
                .endMetadata()
                .addToData(RequestHeaderConfig.CLIENT_CA, Certificates.pem(ca))
                .addToData(RequestHeaderConfig.ALLOWED_NAMES, "[\"" + PROXY_CN + "\"]")
                .addToData(RequestHeaderConfig.USERNAME_HEADERS, "[\"X-Remote-User\"]")
                .addToData(RequestHeaderConfig.GROUP_HEADERS, "[\"X-Remote-Group\"]")
                .addToData(RequestHeaderConfig.EXTRA_PREFIXES, "[\"X-Remote-Extra-\"]")
                .build())
        .create();

    Path token = Files.createTempFile("agent-token", "");
    Files.writeString(token, "operator-token\n");
    server =
        new QueryServer(
            admin,
            QuerySettings.onPort(0)
                .withAuthConfigMap(auth, "extension-apiserver-authentication")
                .withAgents(token, AGENT_TIMEOUT));

    proxy = client(server.certificate(), proxyKeys, proxyCert);
    rogue = client(server.certificate(), rogueKeys, rogueCert);
    anonymous = client(server.certificate(), null, null);

    agentA = FakeAgent.withRows(List.of(FakeAgent.row(1, "node-a"), FakeAgent.row(3, "node-a")));
    agentB = FakeAgent.withRows(List.of(FakeAgent.row(2, "node-b"), FakeAgent.row(4, "node-b")));
    silent = FakeAgent.silent();

    shop = fx.namespace("qshop");
    other = fx.namespace("qother");
    for (String ns : List.of(shop, other)) {
      Tracepoint tp = fx.create(Fixtures.tracepoint(ns, "login", "web"));
      assign(tp, "node-a", agentA.url());
      assign(tp, "node-b", agentB.url());
      assign(tp, "node-c", silent.url());
    }
    fx.create(Fixtures.tracepoint(shop, "idle", "web"));
    allow("alice", shop);
    allow("carol-group", shop);
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    for (FakeAgent a : new FakeAgent[] {agentA, agentB, silent}) if (a != null) a.close();
  }

  @Test
  void discoveryAnswersWithoutClientCertificate() throws Exception {
    HttpResponse<String> group = get(anonymous, "/apis/query.dynlog.dev", null);
    assertEquals(200, group.statusCode());
    assertTrue(group.body().contains("\"kind\":\"APIGroup\""), group.body());
    HttpResponse<String> version = get(anonymous, "/apis/query.dynlog.dev/v1alpha1", null);
    assertEquals(
        "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":"
            + "\"query.dynlog.dev/v1alpha1\",\"resources\":[{\"name\":\"tracepoints/events\","
            + "\"singularName\":\"\",\"namespaced\":true,\"kind\":\"TracepointEvents\","
            + "\"verbs\":[\"get\"]}]}",
        version.body());
    assertEquals(200, get(anonymous, "/healthz", null).statusCode());
  }

  @Test
  void onlyTheFrontProxyIsTrusted() throws Exception {
    HttpResponse<String> none = get(anonymous, events(shop, "login", ""), "alice");
    assertEquals(401, none.statusCode());
    assertTrue(none.body().contains("no client certificate"), none.body());
    HttpResponse<String> forged = get(rogue, events(shop, "login", ""), "alice");
    assertEquals(401, forged.statusCode());
    assertTrue(forged.body().contains("is not signed by the requestheader-client-ca-file"));
    HttpResponse<String> noUser = get(proxy, events(shop, "login", ""), null);
    assertEquals(401, noUser.statusCode());
    assertTrue(noUser.body().contains("no user name in [X-Remote-User]"), noUser.body());
  }

  @Test
  void rbacDecides() throws Exception {
    HttpResponse<String> bob = get(proxy, events(shop, "login", ""), "bob");
    assertEquals(403, bob.statusCode());
    assertTrue(
        bob.body()
            .contains(
                "User \\\"bob\\\" cannot get resource \\\"tracepoints/events\\\" in API group"
                    + " \\\"query.dynlog.dev\\\" in the namespace \\\""
                    + shop),
        bob.body());
    assertTrue(bob.body().contains("\"reason\":\"Forbidden\""), bob.body());
    assertEquals(403, get(proxy, events(other, "login", ""), "alice").statusCode());
    HttpRequest byGroup =
        request(proxy, events(shop, "login", "limit=1"), "carol")
            .header("X-Remote-Group", "carol-group")
            .build();
    assertEquals(200, proxy.send(byGroup, HttpResponse.BodyHandlers.ofString()).statusCode());

    // A denial is not cached: once bob is granted the Role, his next query is served.
    String ns = fx.namespace("qgrant");
    fx.create(Fixtures.tracepoint(ns, "login", "web"));
    assertEquals(403, get(proxy, events(ns, "login", ""), "bob").statusCode());
    allow("bob", ns);
    Await.until(
        "bob allowed",
        Duration.ofSeconds(10),
        () -> statusOf(events(ns, "login", ""), "bob"),
        code -> code == 200);
  }

  @Test
  void mergesTheAgentsByTimeAndWarnsOfTheSilentOne() throws Exception {
    long started = System.nanoTime();
    HttpResponse<String> answer = get(proxy, events(shop, "login", "limit=3"), "alice");
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertEquals(200, answer.statusCode(), answer.body());
    assertTrue(millis < AGENT_TIMEOUT.toMillis() + 1500, "answered in " + millis + " ms");
    String warning = "node node-c: agent " + silent.url() + " did not answer within 1500ms";
    assertEquals(List.of("299 - \"" + warning + "\""), answer.headers().allValues("Warning"));
    assertEquals(
        "{\"tracepoint\":\"login\",\"namespace\":\""
            + shop
            + "\",\"count\":3,\"warnings\":[\""
            + warning
            + "\"],\"rows\":["
            + String.join(
                ",",
                FakeAgent.row(4, "node-b"),
                FakeAgent.row(3, "node-a"),
                FakeAgent.row(2, "node-b"))
            + "]}",
        answer.body());
    FakeAgent.Seen seen = agentA.seen.get(agentA.seen.size() - 1);
    assertEquals("/api/v1/namespaces/" + shop + "/tracepoints/login/events", seen.path());
    assertEquals("format=jsonl&limit=3", seen.query());
    assertEquals("Bearer operator-token", seen.authorization());

    HttpResponse<String> jsonl =
        get(proxy, events(shop, "login", "order=oldest&format=jsonl&limit=10"), "alice");
    assertEquals(
        String.join(
                "\n",
                Warnings.line(warning),
                FakeAgent.row(1, "node-a"),
                FakeAgent.row(2, "node-b"),
                FakeAgent.row(3, "node-a"),
                FakeAgent.row(4, "node-b"))
            + "\n",
        jsonl.body());
  }

  @Test
  void missingTracepointNoPodsAndBadParameters() throws Exception {
    HttpResponse<String> missing = get(proxy, events(shop, "logn", ""), "alice");
    assertEquals(404, missing.statusCode());
    assertTrue(
        missing.body().contains("tracepoints.dynlog.dev \\\"logn\\\" not found in namespace"),
        missing.body());
    HttpResponse<String> idle = get(proxy, events(shop, "idle", ""), "alice");
    assertEquals(200, idle.statusCode());
    assertTrue(idle.body().contains("\"count\":0"), idle.body());
    assertTrue(idle.body().contains("has no running pods"), idle.body());
    HttpResponse<String> bad = get(proxy, events(shop, "login", "limt=5"), "alice");
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("unknown query parameter 'limt'"), bad.body());
    HttpResponse<String> unknownField =
        get(proxy, events(shop, "login", "where=nope%3D1"), "alice");
    assertEquals(400, unknownField.statusCode());
    assertTrue(
        unknownField
            .body()
            .contains(
                "\"message\":\"unknown field 'nope' in where 'nope=1': tracepoint 'login'"
                    + " captures user, n\""),
        unknownField.body());
  }

  @Test
  void followInterleavesAndEndsWhenTheTracepointIsDeleted() throws Exception {
    String ns = fx.namespace("qfollow");
    allow("alice", ns);
    Tracepoint tp = fx.create(Fixtures.tracepoint(ns, "login", "web"));
    assign(tp, "node-a", agentA.url());
    assign(tp, "node-b", agentB.url());
    assign(tp, "node-c", silent.url());
    HttpResponse<InputStream> stream =
        proxy.send(
            request(proxy, events(ns, "login", "follow=true"), "alice").build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, stream.statusCode());
    List<String> lines = new ArrayList<>();
    CompletableFuture<Void> reading =
        CompletableFuture.runAsync(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  if (!line.isEmpty()) {
                    synchronized (lines) {
                      lines.add(line);
                    }
                  }
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      synchronized (lines) {
        if (lines.size() >= 5) break;
      }
      Thread.sleep(100);
    }
    synchronized (lines) {
      assertTrue(lines.contains(FakeAgent.row(1, "node-a")), lines.toString());
      assertTrue(lines.contains(FakeAgent.row(4, "node-b")), lines.toString());
      assertTrue(
          lines.stream().anyMatch(l -> l.contains("node node-c: agent unreachable, retrying")),
          lines.toString());
    }
    admin.resource(tp).delete();
    reading.get(10, TimeUnit.SECONDS);
  }

  @Test
  void theOperatorServesItWhenAsked() throws Exception {
    try (TestOperator operator =
        TestOperator.start("query-op", "query-op-lease", QuerySettings.onPort(0))) {
      assertTrue(operator.queryPort() > 0);
      SSLContext trustAll = SSLContext.getInstance("TLS");
      trustAll.init(null, new TrustManager[] {new TrustAll()}, null);
      HttpResponse<String> discovery =
          HttpClient.newBuilder()
              .sslContext(trustAll)
              .build()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "https://127.0.0.1:"
                                  + operator.queryPort()
                                  + "/apis/query.dynlog.dev/v1alpha1"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, discovery.statusCode());
      assertTrue(discovery.body().contains("tracepoints/events"), discovery.body());
    }
  }

  /**
   * Trusts the operator's self-signed certificate (as an APIService with insecureSkipTLSVerify).
   */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  @Test
  void followReconnectsToARestartedAgentAndEndsWhenExpired() throws Exception {
    String ns = fx.namespace("qrestart");
    allow("alice", ns);
    Tracepoint tp = fx.create(Fixtures.tracepoint(ns, "login", "web"));
    try (FakeAgent restarting =
        FakeAgent.withRows(List.of(FakeAgent.row(1, "node-r"), FakeAgent.row(3, "node-r")))) {
      assign(tp, "node-r", restarting.url());
      Lines lines = follow(events(ns, "login", "follow=true"));
      lines.await(l -> l.contains(FakeAgent.row(3, "node-r")));
      restarting.close();
      lines.await(
          l -> l.stream().anyMatch(x -> x.contains("node node-r: agent unreachable, retrying")));
      restarting.restart(List.of(FakeAgent.row(5, "node-r")));
      lines.await(l -> l.contains("{\"warning\":\"node node-r: agent reconnected\"}"));
      lines.await(l -> l.contains(FakeAgent.row(5, "node-r")));
      FakeAgent.Seen resumed = restarting.seen.get(restarting.seen.size() - 1);
      assertEquals(
          "format=jsonl&follow=true&since=2026-01-01T00%3A00%3A03.000000001Z", resumed.query());

      // A restarted agent pod serving elsewhere: the assignment says where, and the follow moves.
      try (FakeAgent moved = FakeAgent.withRows(List.of(FakeAgent.row(7, "node-r")))) {
        restarting.close();
        setAgent(ns, "login-node-r", moved.url());
        lines.await(l -> l.contains(FakeAgent.row(7, "node-r")));
        assertEquals(
            "format=jsonl&follow=true&since=2026-01-01T00%3A00%3A05.000000001Z",
            moved.seen.get(0).query());
      }

      Tracepoint stored = fx.get(ns, "login");
      TracepointStatus status = new TracepointStatus();
      status.setPhase(Phase.Expired);
      stored.setStatus(status);
      admin.resource(stored).updateStatus();
      lines.reading.get(10, TimeUnit.SECONDS);
      assertEquals(1, lines.count(FakeAgent.row(3, "node-r")), "no row twice after reconnecting");
    }
  }

  @Test
  void followAsServerSentEventsEndsWithTheReason() throws Exception {
    String ns = fx.namespace("qsse");
    allow("alice", ns);
    Tracepoint tp = fx.create(Fixtures.tracepoint(ns, "login", "web"));
    assign(tp, "node-a", agentA.url());
    Lines lines = follow(events(ns, "login", "follow=true&format=sse"));
    lines.await(l -> l.contains("data: " + FakeAgent.row(3, "node-a")));
    admin.resource(tp).delete();
    lines.reading.get(10, TimeUnit.SECONDS);
    synchronized (lines.lines) {
      assertEquals(
          List.of("event: end", "data: {\"state\":\"deleted\"}"),
          lines.lines.subList(lines.lines.size() - 2, lines.lines.size()));
    }
  }

  /** The non-empty lines of a follow, read as they come. */
  private static final class Lines {
    final List<String> lines = new ArrayList<>();
    CompletableFuture<Void> reading;

    void await(Predicate<List<String>> condition) throws InterruptedException {
      long deadline = System.currentTimeMillis() + 20_000;
      while (System.currentTimeMillis() < deadline) {
        synchronized (lines) {
          if (condition.test(lines)) return;
        }
        Thread.sleep(100);
      }
      synchronized (lines) {
        throw new AssertionError("follow lines so far: " + lines);
      }
    }

    long count(String line) {
      synchronized (lines) {
        return lines.stream().filter(line::equals).count();
      }
    }
  }

  private static Lines follow(String path) throws Exception {
    HttpResponse<InputStream> stream =
        proxy.send(
            request(proxy, path, "alice").build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, stream.statusCode());
    Lines lines = new Lines();
    lines.reading =
        CompletableFuture.runAsync(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  if (!line.isEmpty()) {
                    synchronized (lines.lines) {
                      lines.lines.add(line);
                    }
                  }
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    return lines;
  }

  // --- helpers ---

  private static String events(String ns, String name, String query) {
    return "/apis/query.dynlog.dev/v1alpha1/namespaces/"
        + ns
        + "/tracepoints/"
        + name
        + "/events"
        + (query.isEmpty() ? "" : "?" + query);
  }

  private static HttpRequest.Builder request(HttpClient client, String path, String user) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + path))
            .timeout(Duration.ofSeconds(20));
    if (user != null) {
      b.header("X-Remote-User", user);
    }
    return b;
  }

  private static int statusOf(String path, String user) {
    try {
      return get(proxy, path, user).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<String> get(HttpClient client, String path, String user)
      throws Exception {
    return client.send(request(client, path, user).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An HTTPS client trusting the server's certificate, presenting {@code cert} when given. */
  private static HttpClient client(X509Certificate serverCert, KeyPair keys, X509Certificate cert)
      throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server", serverCert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    KeyStore own = KeyStore.getInstance("PKCS12");
    own.load(null, null);
    if (keys != null) {
      own.setKeyEntry("client", keys.getPrivate(), new char[0], new X509Certificate[] {cert});
    }
    kmf.init(own, new char[0]);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static void assign(Tracepoint tp, String node, String agent) {
    TracepointAssignment a = new TracepointAssignment();
    a.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace(tp.getMetadata().getNamespace())
            .withName(tp.getMetadata().getName() + "-" + node)
            .addToLabels(TracepointAssignment.TRACEPOINT_LABEL, tp.getMetadata().getName())
            .build());
    TracepointAssignmentSpec spec = new TracepointAssignmentSpec();
    spec.setTracepoint(tp.getMetadata().getName());
    spec.setNodeName(node);
    spec.setProbe(ProbeSpec.of(tp.getSpec()));
    a.setSpec(spec);
    TracepointAssignment created = admin.resource(a).create();
    TracepointAssignmentStatus status = new TracepointAssignmentStatus();
    status.setAgent(agent);
    created.setStatus(status);
    admin.resource(created).updateStatus();
  }

  private static void setAgent(String ns, String assignment, String agent) {
    TracepointAssignment a =
        admin.resources(TracepointAssignment.class).inNamespace(ns).withName(assignment).get();
    a.getStatus().setAgent(agent);
    admin.resource(a).updateStatus();
  }

  /** A Role allowing get tracepoints/events in {@code ns}, bound to a user or group. */
  private static void allow(String subject, String ns) {
    admin
        .rbac()
        .roles()
        .inNamespace(ns)
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName("events-reader-" + subject)
                .endMetadata()
                .withRules(
                    new PolicyRuleBuilder()
                        .withApiGroups("query.dynlog.dev")
                        .withResources("tracepoints/events")
                        .withVerbs("get")
                        .build())
                .build())
        .createOr(r -> r.update());
    admin
        .rbac()
        .roleBindings()
        .inNamespace(ns)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName("events-reader-" + subject)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "events-reader-" + subject)
                .addNewSubject()
                .withKind(subject.endsWith("-group") ? "Group" : "User")
                .withApiGroup("rbac.authorization.k8s.io")
                .withName(subject)
                .endSubject()
                .build())
        .create();
  }
}
