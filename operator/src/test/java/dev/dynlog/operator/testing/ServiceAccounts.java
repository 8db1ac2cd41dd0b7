package dev.dynlog.operator.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Service accounts made through the real API server, with exactly the RBAC rules a test gives them,
 * and tokens for them (TokenRequest). The Helm chart's rule files are read from the repository.
 */
public final class ServiceAccounts {

  private ServiceAccounts() {}

  /** The rules of one of the chart's rule files ({@code charts/dynlog-operator/files/<file>}). */
  public static List<PolicyRule> chartRules(String file) {
    Path path =
        Path.of(System.getProperty("dynlog.repo.dir", ".."))
            .resolve("charts/dynlog-operator/files")
            .resolve(file);
    try {
      return new ObjectMapper(new YAMLFactory())
          .readValue(path.toFile(), new TypeReference<List<PolicyRule>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Creates the service account {@code name} in {@code namespace} and a RoleBinding there to the
   * existing ClusterRole {@code clusterRole} (so its rules hold in that namespace only); returns a
   * token valid for an hour.
   */
  public static String boundInNamespace(
      KubernetesClient admin, String namespace, String name, String clusterRole) {
    admin
        .serviceAccounts()
        .inNamespace(namespace)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    admin
        .rbac()
        .roleBindings()
        .inNamespace(namespace)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName(name + "-" + clusterRole)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", clusterRole)
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(name)
                .withNamespace(namespace)
                .endSubject()
                .build())
        .create();
    return token(admin, namespace, name);
  }

  /**
   * Creates the service account {@code name} in {@code namespace}, bound to {@code clusterRules}
   * cluster-wide (a ClusterRole named {@code <name>-<namespace>}) and to {@code namespaceRules} in
   * its namespace (a Role), each only when not empty; returns a token valid for an hour.
   */
  public static String create(
      KubernetesClient admin,
      String namespace,
      String name,
      List<PolicyRule> clusterRules,
      List<PolicyRule> namespaceRules) {
    admin
        .serviceAccounts()
        .inNamespace(namespace)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    String role = name + "-" + namespace;
    if (!clusterRules.isEmpty()) {
      admin
          .rbac()
          .clusterRoles()
          .resource(
              new ClusterRoleBuilder()
                  .withNewMetadata()
                  .withName(role)
                  .endMetadata()
                  .withRules(clusterRules)
                  .build())
          .create();
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
                  .withNamespace(namespace)
                  .endSubject()
                  .build())
          .create();
    }
    if (!namespaceRules.isEmpty()) {
      admin
          .rbac()
          .roles()
          .inNamespace(namespace)
          .resource(
              new RoleBuilder()
                  .withNewMetadata()
                  .withName(role)
                  .endMetadata()
                  .withRules(namespaceRules)
                  .build())
          .create();
      admin
          .rbac()
          .roleBindings()
          .inNamespace(namespace)
          .resource(
              new RoleBindingBuilder()
                  .withNewMetadata()
                  .withName(role)
                  .endMetadata()
                  .withNewRoleRef("rbac.authorization.k8s.io", "Role", role)
                  .addNewSubject()
                  .withKind("ServiceAccount")
                  .withName(name)
                  .withNamespace(namespace)
                  .endSubject()
                  .build())
          .create();
    }
    return token(admin, namespace, name);
  }

  /** A token valid for an hour for the service account {@code namespace/name} (TokenRequest). */
  private static String token(KubernetesClient admin, String namespace, String name) {
    return admin
        .serviceAccounts()
        .inNamespace(namespace)
        .withName(name)
        .tokenRequest(
            new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus()
        .getToken();
  }
}
