package dev.dynlog.operator.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The discovery documents: the APIGroup at {@code /apis/query.dynlog.dev} and the APIResourceList
 * at {@code /apis/query.dynlog.dev/v1alpha1}, which the kube-apiserver's availability check of the
 * APIService and kubectl read.
 */
final class Discovery {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GROUP_VERSION = QueryPaths.GROUP + "/" + QueryPaths.VERSION;

  private Discovery() {}

  static String apiGroup() {
    Map<String, Object> version =
        Map.of("groupVersion", GROUP_VERSION, "version", QueryPaths.VERSION);
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("kind", "APIGroup");
    group.put("apiVersion", "v1");
    group.put("name", QueryPaths.GROUP);
    group.put("versions", List.of(version));
    group.put("preferredVersion", version);
    return write(group);
  }

  static String resourceList() {
    Map<String, Object> resource = new LinkedHashMap<>();
    resource.put("name", QueryPaths.RESOURCE);
    resource.put("singularName", "");
    resource.put("namespaced", true);
    resource.put("kind", "TracepointEvents");
    resource.put("verbs", List.of("get"));
    Map<String, Object> list = new LinkedHashMap<>();
    list.put("kind", "APIResourceList");
    list.put("apiVersion", "v1");
    list.put("groupVersion", GROUP_VERSION);
    list.put("resources", List.of(resource));
    return write(list);
  }

  private static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
