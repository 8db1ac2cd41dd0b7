package dev.dynlog.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.dynlog.http.AgentHttpServer;
import dev.dynlog.http.CachedAuthenticator;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.store.Placement;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.testing.KubeApiServer;
import dev.dynlog.trace.Row;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node agent's query API against a real kube-apiserver: the agent reviews callers' tokens with a
 * TokenReview under exactly the chart's agent rules ({@code agent-rules.yaml}); the allowed service
 * account's token gets the rows, another service account's token 403, no token 401, a garbage token
 * 403; {@code /metrics} needs none.
 */
@Tag("apiserver")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class QueryApiTokenReviewTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String NS = "dynlog-query-auth";
  private static final String EVENTS = "/api/v1/namespaces/shop/tracepoints/login/events";

  private static KubernetesClient agentClient;
  private static TracepointRegistry registry;
  private static DynlogMetrics metrics;
  private static AgentHttpServer server;
  private static String operatorToken;
  private static String otherToken;

  @BeforeAll
  static void start() throws Exception {
    KubeApiServer api = KubeApiServer.get();
    KubernetesClient admin = api.admin();
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .serverSideApply();
    String agentToken = serviceAccount(admin, "agent", chartAgentRules());
    operatorToken = serviceAccount(admin, "operator", List.of());
    otherToken = serviceAccount(admin, "other", List.of());
    agentClient = api.tokenClient(agentToken);

    registry = new TracepointRegistry(StoreConfig.DEFAULT);
    StoredTracepoint login =
        registry.register(
            new TracepointInfo(
                "shop/login", "main.Login", "node node-a", List.of("user"), false, List.of()),
            new Placement("shop", "login", "node-a"),
            List::of);
    for (int i = 0; i < 3; i++) {
      login.append(
          new Row(
              "shop/login",
              1_000_000_000L * (i + 1),
              100,
              100,
              -1,
              "main.Login",
              -1,
              Map.of("user", "u" + i),
              Map.of(),
              new Row.Source("shop", "web-1", "app", "node-a")));
    }
    metrics = new DynlogMetrics(registry);
    server =
        AgentHttpServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            registry,
            metrics,
            new CachedAuthenticator(
                new TokenReviewAuthenticator(
                    agentClient, List.of("system:serviceaccount:" + NS + ":operator")),
                System::nanoTime));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (metrics != null) metrics.close();
    if (agentClient != null) agentClient.close();
  }

  /** The rules of charts/dynlog-operator/files/agent-rules.yaml. */
  private static List<PolicyRule> chartAgentRules() throws Exception {
    Path file =
        Path.of(System.getProperty("dynlog.repo.dir", ".."))
            .resolve("charts/dynlog-operator/files/agent-rules.yaml");
    return new ObjectMapper(new YAMLFactory())
        .readValue(file.toFile(), new TypeReference<List<PolicyRule>>() {});
  }

  /** Creates a service account bound cluster-wide to {@code rules} (if any); returns a token. */
  private static String serviceAccount(
      KubernetesClient admin, String name, List<PolicyRule> rules) {
    admin
        .serviceAccounts()
        .inNamespace(NS)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName(name).endMetadata().build())
        .serverSideApply();
    if (!rules.isEmpty()) {
      String role = NS + "-" + name;
      admin
          .rbac()
          .clusterRoles()
          .resource(
              new ClusterRoleBuilder()
                  .withNewMetadata()
                  .withName(role)
                  .endMetadata()
                  .withRules(rules)
                  .build())
          .serverSideApply();
      admin
          .rbac()
          .clusterRoleBindings()
          .resource(
              new ClusterRoleBindingBuilder()
                  .withNewMetadata()
                  .withName(role)
                  .endMetadata()
                  .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", role)
                  .addNewSubject()
                  .withKind("ServiceAccount")
                  .withName(name)
                  .withNamespace(NS)
                  .endSubject()
                  .build())
          .serverSideApply();
    }
    return admin
        .serviceAccounts()
        .inNamespace(NS)
        .withName(name)
        .tokenRequest(
            new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus()
        .getToken();
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.baseUri() + path))
            .timeout(Duration.ofSeconds(30))
            .GET();
    if (token != null) b.header("Authorization", "Bearer " + token);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String error(HttpResponse<String> r) throws Exception {
    JsonNode node = JSON.readTree(r.body());
    return node.get("error").asText();
  }

  @Test
  void theOperatorsTokenGetsTheRows() throws Exception {
    HttpResponse<String> r = get(EVENTS + "?format=json", operatorToken);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(3, JSON.readTree(r.body()).get("count").asInt(), r.body());
    // again, from the cache
    assertEquals(200, get(EVENTS, operatorToken).statusCode());
  }

  @Test
  void anotherServiceAccountsTokenIs403() throws Exception {
    HttpResponse<String> r = get(EVENTS, otherToken);
    assertEquals(403, r.statusCode(), r.body());
    assertEquals(
        "user 'system:serviceaccount:"
            + NS
            + ":other' may not read this node agent's query API; it answers only"
            + " system:serviceaccount:"
            + NS
            + ":operator (--query-clients): read rows through the aggregated query API",
        error(r));
    assertFalse(r.body().contains(otherToken), r.body());
  }

  @Test
  void noTokenIs401() throws Exception {
    HttpResponse<String> r = get(EVENTS, null);
    assertEquals(401, r.statusCode(), r.body());
    assertTrue(error(r).startsWith("no Authorization header"), r.body());
  }

  @Test
  void aGarbageTokenIs403WithoutEchoingIt() throws Exception {
    String garbage = "not-a-token-" + System.nanoTime();
    HttpResponse<String> r = get(EVENTS, garbage);
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(error(r).startsWith("the bearer token is not valid"), r.body());
    assertFalse(r.body().contains(garbage), r.body());
    assertEquals(1, r.body().strip().lines().count(), r.body());
  }

  @Test
  void metricsAndHealthzAreOpen() throws Exception {
    HttpResponse<String> m = get("/metrics", null);
    assertEquals(200, m.statusCode(), m.body());
    assertTrue(m.body().contains("dynlog_rows_total"), m.body());
    assertEquals(200, get("/healthz", null).statusCode());
  }
}
