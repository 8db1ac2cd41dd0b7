package dev.dynlog.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.dynlog.operator.testing.Fixtures;
import dev.dynlog.operator.testing.TestApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Renders {@code charts/dynlog-operator} with helm and has the real API server validate every
 * object (server-side dry run); checks the rendered RBAC is the rules RbacTest and TeamRolesTest
 * exercise and the Deployment wires the operator's settings.
 */
@Tag("apiserver")
class HelmChartTest {

  @Test
  void chartRendersToObjectsTheApiServerAccepts() throws IOException {
    TestApiServer server = TestApiServer.get();
    Path chart =
        Path.of(System.getProperty("dynlog.repo.dir", ".."))
            .resolve("charts/dynlog-operator")
            .toAbsolutePath()
            .normalize();
    String ns = new Fixtures(server.client()).namespace("chart");
    server.tool("helm", "lint", chart.toString());
    String rendered =
        server.tool(
            "helm",
            "template",
            "dynlog",
            chart.toString(),
            "--namespace",
            ns,
            "--include-crds",
            "--set",
            "watchNamespaces={shop,pay}");

    String applied =
        server.kubectlWithInput(
            rendered, "apply", "--dry-run=server", "--server-side", "--force-conflicts", "-f", "-");
    for (String object :
        List.of(
            "customresourcedefinition.apiextensions.k8s.io/tracepoints" + ".dynlog.dev",
            "serviceaccount/dynlog",
            "clusterrole.rbac.authorization.k8s.io" + "/dynlog",
            "clusterrole.rbac.authorization.k8s.io/dynlog-viewer",
            "clusterrole.rbac.authorization.k8s.io/dynlog-editor",
            "role.rbac.authorization.k8s.io/dynlog-leader-election",
            "deployment.apps/dynlog",
            "service/dynlog-metrics",
            "service/dynlog-query",
            "rolebinding.rbac.authorization.k8s.io/dynlog-auth-reader",
            "apiservice.apiregistration.k8s.io/v1alpha1.query.dynlog.dev")) {
      assertTrue(applied.contains(object), object + " not accepted:\n" + applied);
    }

    List<HasMetadata> objects =
        server
            .client()
            .load(new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8)))
            .items();
    Map<String, HasMetadata> byKind =
        objects.stream().collect(Collectors.toMap(o -> o.getKind(), o -> o, (a, b) -> a));
    Map<String, ClusterRole> clusterRoles =
        objects.stream()
            .filter(o -> o instanceof ClusterRole)
            .map(o -> (ClusterRole) o)
            .collect(Collectors.toMap(r -> r.getMetadata().getName(), r -> r));
    assertEquals(
        List.of("dynlog", "dynlog-editor", "dynlog-viewer"),
        clusterRoles.keySet().stream().sorted().toList());
    assertEquals(rules(chart, "operator-rules.yaml"), clusterRoles.get("dynlog").getRules());
    List<PolicyRule> viewer = rules(chart, "viewer-rules.yaml");
    assertEquals(viewer, clusterRoles.get("dynlog-viewer").getRules());
    List<PolicyRule> editor = new ArrayList<>(viewer);
    editor.addAll(rules(chart, "editor-rules.yaml"));
    assertEquals(editor, clusterRoles.get("dynlog-editor").getRules());
    assertEquals(
        rules(chart, "leader-election-rules.yaml"), ((Role) byKind.get("Role")).getRules());
    Deployment deployment = (Deployment) byKind.get("Deployment");
    Map<String, String> env =
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
            .filter(e -> e.getValue() != null)
            .collect(Collectors.toMap(e -> e.getName(), e -> e.getValue()));
    assertEquals("shop,pay", env.get("DYNLOG_NAMESPACES"));
    assertEquals("true", env.get("DYNLOG_LEADER_ELECTION"));
    assertEquals("8080", env.get("DYNLOG_HTTP_PORT"));
    assertEquals("8443", env.get("DYNLOG_QUERY_PORT"));
    assertEquals("5s", env.get("DYNLOG_AGENT_TIMEOUT"));
    assertEquals(
        "/readyz",
        deployment
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getReadinessProbe()
            .getHttpGet()
            .getPath());
  }

  private static List<PolicyRule> rules(Path chart, String file) throws IOException {
    return new ObjectMapper(new YAMLFactory())
        .readValue(
            chart.resolve("files").resolve(file).toFile(),
            new TypeReference<List<PolicyRule>>() {});
  }
}
