package dev.dynlog.operator;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.dynlog.operator.k8s.Permission;
import dev.dynlog.operator.k8s.StartupCheck;
import dev.dynlog.operator.reconcile.TracepointReconciler;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the operator needs from the API server, checked by {@link StartupCheck} before it starts:
 * its custom resources served, and every permission of the Helm chart's RBAC rules ({@code
 * charts/dynlog-operator/files/*-rules.yaml}, packaged into the jar by the build, so the chart and
 * this check cannot drift apart): the operator rules cluster-wide (or in each watched namespace),
 * the leader-election rules in the Lease's namespace, and with the aggregated query API on, the
 * reading of the request-header ConfigMap ({@code query-auth-rules.yaml}) in its namespace.
 */
final class RequiredAccess {

  /** Where the build puts the chart's rule files in the jar. */
  static final String RULES = "/dev/dynlog/operator/rbac/";

  private RequiredAccess() {}

  /** The expectations for an operator with these settings. */
  static StartupCheck.Expectations of(OperatorSettings settings) {
    List<PolicyRule> operatorRules = rules("operator-rules.yaml");
    List<Permission> permissions = new ArrayList<>();
    if (settings.namespaces().isEmpty()) {
      permissions.addAll(Permission.granted(operatorRules, ""));
    } else {
      settings.namespaces().stream()
          .sorted()
          .forEach(ns -> permissions.addAll(Permission.granted(operatorRules, ns)));
    }
    String grant =
        "grant the operator's service account the RBAC rules of the Helm chart"
            + " (charts/dynlog-operator/files/operator-rules.yaml"
            + (settings.namespaces().isEmpty() ? " cluster-wide" : " in the watched namespaces");
    if (settings.query().port() >= 0) {
      permissions.addAll(
          Permission.granted(
              rules("query-auth-rules.yaml"), settings.query().authConfigMapNamespace()));
      grant +=
          ", query-auth-rules.yaml in namespace "
              + settings.query().authConfigMapNamespace()
              + " (the chart binds the Role extension-apiserver-authentication-reader there)";
    }
    if (settings.leaderElection()) {
      permissions.addAll(
          Permission.granted(rules("leader-election-rules.yaml"), settings.leaseNamespace()));
      grant += ", leader-election-rules.yaml in namespace " + settings.leaseNamespace();
    }
    return new StartupCheck.Expectations(
        TracepointReconciler.CUSTOM_RESOURCES.stream().map(StartupCheck.Kind::of).toList(),
        "install dynlog's CRDs first (kubectl apply -f crds/; the Helm chart installs them too)",
        permissions,
        grant + ")",
        settings.startupTimeout(),
        OperatorSettings.STARTUP_TIMEOUT_VARIABLE);
  }

  /** The rules of one of the chart's rule files. */
  static List<PolicyRule> rules(String file) {
    try (InputStream in = RequiredAccess.class.getResourceAsStream(RULES + file)) {
      if (in == null) {
        throw new IllegalStateException(
            "the operator jar lacks " + RULES + file + " (the build copies it from the chart)");
      }
      return new KubernetesSerialization().unmarshal(in, new TypeReference<List<PolicyRule>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
