package dev.dynlog.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.operator.k8s.ClusterConfig;
import dev.dynlog.operator.k8s.StartupCheck;
import dev.dynlog.operator.k8s.StartupException;
import dev.dynlog.operator.query.AccessReviewer;
import dev.dynlog.operator.query.Caller;
import dev.dynlog.operator.query.QuerySettings;
import dev.dynlog.operator.testing.ApiServerTest;
import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.Fixtures;
import dev.dynlog.operator.testing.RequestCounter;
import dev.dynlog.operator.testing.ServiceAccounts;
import dev.dynlog.operator.testing.TestApiServer;
import dev.dynlog.operator.testing.TestOperator;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs the operator as a service account holding exactly the Helm chart's RBAC rules ({@code
 * charts/dynlog-operator/files/*-rules.yaml}), so a missing permission fails here.
 */
@Tag("apiserver")
@ApiServerTest
class RbacTest {

  @Test
  void chartRulesAreEnoughAndNoMore(KubernetesClient admin, Fixtures fx) {
    String system = fx.namespace("dynlog-system");
    String token = serviceAccountToken(admin, system, rules("operator-rules.yaml"));

    RequestCounter counter = new RequestCounter();
    KubernetesClient asOperator = TestApiServer.get().newTokenClient(token, counter);
    KubernetesClientException denied =
        assertThrows(
            KubernetesClientException.class, () -> asOperator.secrets().inNamespace(system).list());
    assertEquals(403, denied.getCode(), "no access beyond the chart's rules");

    try (TestOperator operator =
        TestOperator.start("rbac", "dynlog-operator", system, asOperator, counter)) {
      String ns = fx.namespace("rbac-app");
      fx.node("rbac-a");
      fx.runningPod(ns, "r-1", "rbac-a", Map.of("app", "r"));
      fx.create(Fixtures.tracepoint(ns, "typo", "r"));
      Tracepoint bad = Fixtures.tracepoint(ns, "bad", "r");
      bad.getSpec().getCapture().get(0).setExpr("x[");
      fx.create(bad);
      fx.awaitPhase(ns, "typo", Phase.Pending);
      fx.awaitPhase(ns, "bad", Phase.Invalid);
      fx.awaitEvent(ns, "bad", "InvalidCaptureExpression");
      Await.until(
          "assignment", Duration.ofSeconds(20), () -> fx.assignments(ns), l -> l.size() == 1);
      admin.resources(Tracepoint.class).inNamespace(ns).withName("typo").delete();
      Await.until(
          "deleted through the finalizer",
          Duration.ofSeconds(20),
          () -> fx.get(ns, "typo") == null && fx.assignments(ns).isEmpty(),
          done -> done);

      // The leader keeps renewing its Lease under these rules (renewals are PATCHes).
      Instant since = Instant.now();
      Lease lease =
          Await.until(
              "lease renewed",
              Duration.ofSeconds(10),
              () -> admin.leases().inNamespace(system).withName("dynlog-operator").get(),
              l ->
                  l.getSpec().getRenewTime() != null
                      && l.getSpec().getRenewTime().toInstant().isAfter(since.plusSeconds(1)));
      assertEquals("rbac", lease.getSpec().getHolderIdentity());
    }
  }

  /**
   * A service account in {@code system} bound to the given cluster rules and the chart's
   * leader-election rules; returns a token for it.
   */
  private static String serviceAccountToken(
      KubernetesClient admin, String system, List<PolicyRule> clusterRules) {
    return ServiceAccounts.create(
        admin, system, "dynlog-operator", clusterRules, rules("leader-election-rules.yaml"));
  }

  @Test
  void queryApiNeedsTheChartRulesAndTheAuthReaderBinding(KubernetesClient admin, Fixtures fx) {
    String system = fx.namespace("dynlog-query");
    String token = serviceAccountToken(admin, system, rules("operator-rules.yaml"));
    Config asOperator = Config.fromKubeconfig(TestApiServer.get().tokenKubeconfig(token));
    OperatorSettings settings =
        new OperatorSettings(
                Set.of(),
                true,
                "dynlog-operator",
                system,
                "rbac-query",
                Duration.ofSeconds(3),
                Duration.ofSeconds(2),
                Duration.ofMillis(500),
                false,
                0,
                Duration.ofSeconds(10))
            .withQuery(QuerySettings.onPort(0));
    ClusterConfig cluster = new ClusterConfig(asOperator, "test token");
    StartupException missing =
        assertThrows(
            StartupException.class,
            () -> StartupCheck.verify(cluster, RequiredAccess.of(settings)));
    assertTrue(
        missing
            .getMessage()
            .contains(
                "get configmaps named extension-apiserver-authentication in namespace"
                    + " kube-system"),
        missing.getMessage());

    // What the chart does: bind the built-in Role in kube-system.
    admin
        .rbac()
        .roleBindings()
        .inNamespace("kube-system")
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName("dynlog-auth-reader-" + system)
                .endMetadata()
                .withNewRoleRef(
                    "rbac.authorization.k8s.io",
                    "Role",
                    "extension-apiserver-authentication-reader")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName("dynlog-operator")
                .withNamespace(system)
                .endSubject()
                .build())
        .create();
    Await.until(
        "the startup check passes",
        Duration.ofSeconds(10),
        () -> {
          try {
            return StartupCheck.verify(cluster, RequiredAccess.of(settings)).permissionsChecked();
          } catch (StartupException e) {
            return false;
          }
        },
        ok -> ok);
    try (KubernetesClient client = TestApiServer.get().newTokenClient(token, null)) {
      assertTrue(
          client
                  .configMaps()
                  .inNamespace("kube-system")
                  .withName("extension-apiserver-authentication")
                  .get()
              != null);
      assertFalse(
          new AccessReviewer(client, Clock.systemUTC())
              .mayRead(new Caller("nobody", List.of(), Map.of()), system, "login"),
          "a SubjectAccessReview under the chart's rules, denied for a user without a Role");
    }
  }

  @Test
  void aMissingPermissionIsReportedInTheReadyCondition(KubernetesClient admin, Fixtures fx) {
    String system = fx.namespace("dynlog-crippled");
    List<PolicyRule> rules = new ArrayList<>(rules("operator-rules.yaml"));
    rules.removeIf(r -> r.getResources().equals(List.of("tracepointassignments")));
    rules.add(
        new PolicyRuleBuilder()
            .withApiGroups("dynlog.dev")
            .withResources("tracepointassignments")
            .withVerbs("get", "list", "watch")
            .build());
    String token = serviceAccountToken(admin, system, rules);
    RequestCounter counter = new RequestCounter();
    try (TestOperator operator =
        TestOperator.start(
            "crippled",
            "dynlog-operator",
            system,
            TestApiServer.get().newTokenClient(token, counter),
            counter)) {
      String ns = fx.namespace("crippled-app");
      fx.node("crippled-a");
      fx.runningPod(ns, "c-1", "crippled-a", Map.of("app", "c"));
      fx.create(Fixtures.tracepoint(ns, "denied", "c"));
      Tracepoint tp =
          Await.until(
              "ReconcileError",
              Duration.ofSeconds(30),
              () -> fx.get(ns, "denied"),
              t ->
                  t.getStatus() != null
                      && t.getStatus().getConditions().stream()
                          .anyMatch(
                              c ->
                                  c.getType().equals("Ready")
                                      && "ReconcileError".equals(c.getReason())));
      String message = Fixtures.condition(tp, "Ready").getMessage();
      assertTrue(
          message.contains("forbidden") && message.contains("tracepointassignments"), message);
    }
  }

  private static List<PolicyRule> rules(String file) {
    return ServiceAccounts.chartRules(file);
  }
}
