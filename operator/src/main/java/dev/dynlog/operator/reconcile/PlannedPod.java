package dev.dynlog.operator.reconcile;

import java.util.List;
import java.util.Map;

/**
 * A running pod a Tracepoint selects, with what its node agent needs.
 *
 * @param name pod name
 * @param uid pod UID
 * @param node node the pod runs on
 * @param containerIDs runtime IDs of the containers to probe
 * @param containerNames the name of each of those containers, by runtime ID
 */
public record PlannedPod(
    String name,
    String uid,
    String node,
    List<String> containerIDs,
    Map<String, String> containerNames) {

  public PlannedPod {
    containerIDs = List.copyOf(containerIDs);
    containerNames = Map.copyOf(containerNames);
  }

  /** A pod whose containers' names are not known. */
  public PlannedPod(String name, String uid, String node, List<String> containerIDs) {
    this(name, uid, node, containerIDs, Map.of());
  }
}
