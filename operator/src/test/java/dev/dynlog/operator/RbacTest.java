package dev.dynlog.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.Fixtures;
import dev.dynlog.operator.testing.RequestCounter;
import dev.dynlog.operator.testing.TestApiServer;
import dev.dynlog.operator.testing.TestOperator;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs the operator as a service account holding exactly the Helm chart's RBAC rules
 * ({@code charts/dynlog-operator/files/*-rules.yaml}), so a missing permission fails here.
 */
@Tag("apiserver")
class RbacTest {

  @Test
  void chartRulesAreEnoughAndNoMore() throws IOException {
    KubernetesClient admin = TestApiServer.get().client();
    Fixtures fx = new Fixtures(admin);
    String system = fx.namespace("dynlog-system");
    admin.serviceAccounts().inNamespace(system).resource(new ServiceAccountBuilder()
        .withNewMetadata().withName("dynlog-operator").endMetadata().build()).create();
    admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata()
        .withName("dynlog-operator-" + system).endMetadata()
        .withRules(rules("operator-rules.yaml")).build()).create();
    admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder()
        .withNewMetadata().withName("dynlog-operator-" + system).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "dynlog-operator-" + system)
        .addNewSubject().withKind("ServiceAccount").withName("dynlog-operator")
        .withNamespace(system).endSubject().build()).create();
    admin.rbac().roles().inNamespace(system).resource(new RoleBuilder().withNewMetadata()
        .withName("leader-election").endMetadata()
        .withRules(rules("leader-election-rules.yaml")).build()).create();
    admin.rbac().roleBindings().inNamespace(system).resource(new RoleBindingBuilder()
        .withNewMetadata().withName("leader-election").endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "Role", "leader-election")
        .addNewSubject().withKind("ServiceAccount").withName("dynlog-operator")
        .withNamespace(system).endSubject().build()).create();
    String token = admin.serviceAccounts().inNamespace(system).withName("dynlog-operator")
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L)
            .endSpec().build()).getStatus().getToken();

    RequestCounter counter = new RequestCounter();
    KubernetesClient asOperator = TestApiServer.get().newTokenClient(token, counter);
    KubernetesClientException denied = assertThrows(KubernetesClientException.class,
        () -> asOperator.secrets().inNamespace(system).list());
    assertEquals(403, denied.getCode(), "no access beyond the chart's rules");

    try (TestOperator operator = TestOperator.start("rbac", "dynlog-operator", system,
        asOperator, counter)) {
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
      Await.until("assignment", Duration.ofSeconds(20), () -> fx.assignments(ns), l -> l.size()
          == 1);
      admin.resources(Tracepoint.class).inNamespace(ns).withName("typo").delete();
      Await.until("deleted through the finalizer", Duration.ofSeconds(20),
          () -> fx.get(ns, "typo") == null && fx.assignments(ns).isEmpty(), done -> done);

      // The leader keeps renewing its Lease under these rules (renewals are PATCHes).
      Instant since = Instant.now();
      Lease lease = Await.until("lease renewed", Duration.ofSeconds(10),
          () -> admin.leases().inNamespace(system).withName("dynlog-operator").get(),
          l -> l.getSpec().getRenewTime() != null
              && l.getSpec().getRenewTime().toInstant().isAfter(since.plusSeconds(1)));
      assertEquals("rbac", lease.getSpec().getHolderIdentity());
    }
  }

  private static List<PolicyRule> rules(String file) throws IOException {
    Path path = Path.of(System.getProperty("dynlog.repo.dir", ".."))
        .resolve("charts/dynlog-operator/files").resolve(file);
    return new ObjectMapper(new YAMLFactory()).readValue(path.toFile(),
        new TypeReference<List<PolicyRule>>() { });
  }
}
