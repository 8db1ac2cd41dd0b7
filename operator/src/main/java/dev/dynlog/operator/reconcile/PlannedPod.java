package dev.dynlog.operator.reconcile;

import java.util.List;

/**
 * A running pod a Tracepoint selects, with what its node agent needs.
 *
 * @param name pod name
 * @param uid pod UID
 * @param node node the pod runs on
 * @param containerIDs runtime IDs of the containers to probe
 */
public record PlannedPod(String name, String uid, String node, List<String> containerIDs) {

  public PlannedPod {
    containerIDs = List.copyOf(containerIDs);
  }
}
