package dev.dynlog.operator.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RBAC rules expanded into single permissions, and their one-line description. */
class PermissionTest {

  private static final List<PolicyRule> RULES =
      List.of(
          new PolicyRuleBuilder()
              .withApiGroups("dynlog.dev")
              .withResources("tracepoints", "tracepoints/status")
              .withVerbs("get", "patch")
              .build(),
          new PolicyRuleBuilder()
              .withApiGroups("")
              .withResources("pods")
              .withVerbs("list")
              .build());

  @Test
  void rulesExpandIntoPermissions() {
    assertEquals(
        List.of(
            new Permission("dynlog.dev", "tracepoints", "", "get", ""),
            new Permission("dynlog.dev", "tracepoints", "", "patch", ""),
            new Permission("dynlog.dev", "tracepoints", "status", "get", ""),
            new Permission("dynlog.dev", "tracepoints", "status", "patch", ""),
            new Permission("", "pods", "", "list", "")),
        Permission.granted(RULES, ""));
  }

  @Test
  void describedAsKubectlNamesThemGroupedByResourceAndNamespace() {
    assertEquals(
        "get, patch tracepoints.dynlog.dev; get, patch tracepoints.dynlog.dev/status; list pods",
        Permission.describe(Permission.granted(RULES, "")));
    assertEquals(
        "list pods in namespace shop; create leases.coordination.k8s.io in namespace ops",
        Permission.describe(
            List.of(
                new Permission("", "pods", "", "list", "shop"),
                new Permission("coordination.k8s.io", "leases", "", "create", "ops"))));
  }
}
