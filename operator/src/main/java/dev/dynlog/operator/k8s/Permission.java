package dev.dynlog.operator.k8s;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One thing a client may be allowed to do: a verb on a resource (optionally a subresource) of an
 * API group, cluster-wide or in one namespace, as a SelfSubjectAccessReview asks it.
 *
 * @param group API group, "" for the core group
 * @param resource plural resource name, e.g. {@code tracepoints}
 * @param subresource e.g. {@code status}; "" for none
 * @param verb e.g. {@code list}
 * @param namespace "" for all namespaces (cluster scope)
 * @param name one object's name when the rule is limited to it ({@code resourceNames}), else ""
 */
public record Permission(
    String group, String resource, String subresource, String verb, String namespace, String name) {

  /** A permission on every object of the resource. */
  public Permission(
      String group, String resource, String subresource, String verb, String namespace) {
    this(group, resource, subresource, verb, namespace, "");
  }

  /**
   * Every permission the RBAC rules grant (resource rules only), cluster-wide or in a namespace.
   */
  public static List<Permission> granted(List<PolicyRule> rules, String namespace) {
    List<Permission> out = new ArrayList<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          int slash = resource.indexOf('/');
          String name = slash < 0 ? resource : resource.substring(0, slash);
          String sub = slash < 0 ? "" : resource.substring(slash + 1);
          List<String> names =
              rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                  ? List.of("")
                  : rule.getResourceNames();
          for (String verb : rule.getVerbs()) {
            for (String object : names) {
              out.add(new Permission(group, name, sub, verb, namespace, object));
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * The resource as kubectl names it: {@code tracepoints.dynlog.dev}, {@code
   * tracepoints.dynlog.dev/status}, {@code pods}.
   */
  public String resourceName() {
    return resource
        + (group.isEmpty() ? "" : "." + group)
        + (subresource.isEmpty() ? "" : "/" + subresource);
  }

  /**
   * Permissions in one line, verbs grouped per resource and scope: {@code get, list
   * tracepoints.dynlog.dev; create leases.coordination.k8s.io in namespace ops}.
   */
  public static String describe(List<Permission> permissions) {
    Map<String, List<String>> verbs = new LinkedHashMap<>();
    for (Permission p : permissions) {
      String where =
          p.resourceName()
              + (p.name().isEmpty() ? "" : " named " + p.name())
              + (p.namespace().isEmpty() ? "" : " in namespace " + p.namespace());
      verbs.computeIfAbsent(where, k -> new ArrayList<>()).add(p.verb());
    }
    return verbs.entrySet().stream()
        .map(e -> String.join(", ", e.getValue()) + " " + e.getKey())
        .collect(Collectors.joining("; "));
  }
}
