package dev.dynlog.operator.query;

import java.util.List;
import java.util.Map;

/**
 * Who asks, as the front proxy (the kube-apiserver) says in its request headers.
 *
 * @param user the user name
 * @param groups the user's groups
 * @param extra further attributes (e.g. {@code authentication.kubernetes.io/credential-id}), keys
 *     lower case
 */
public record Caller(String user, List<String> groups, Map<String, List<String>> extra) {

  public Caller {
    groups = List.copyOf(groups);
    extra = Map.copyOf(extra);
  }
}
