package dev.dynlog.kube;

import dev.dynlog.agent.NodeAgent;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Feeds a {@link NodeAgent} with the {@link TracepointAssignment}s of its node: an informer on
 * every namespace with the field selector {@code spec.nodeName=<node>}, so the API server sends
 * this agent only its own node's work. Adds and updates become {@link NodeAgent#apply}, deletes
 * {@link NodeAgent#delete}; a periodic resync re-applies everything (the agent ignores what did not
 * change).
 */
public final class AssignmentWatcher implements AutoCloseable {
  private final SharedIndexInformer<TracepointAssignment> informer;

  private AssignmentWatcher(SharedIndexInformer<TracepointAssignment> informer) {
    this.informer = informer;
  }

  /**
   * Starts watching and returns once the first list has been delivered.
   *
   * @param syncTimeout how long to wait for the first list
   * @throws IllegalStateException when the informer does not sync in time (the message names the
   *     API server)
   */
  public static AssignmentWatcher start(
      KubernetesClient client,
      String node,
      NodeAgent agent,
      Duration resync,
      Duration syncTimeout) {
    SharedIndexInformer<TracepointAssignment> informer =
        client
            .resources(TracepointAssignment.class)
            .inAnyNamespace()
            .withField("spec.nodeName", node)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(TracepointAssignment a) {
                    agent.apply(a);
                  }

                  @Override
                  public void onUpdate(TracepointAssignment before, TracepointAssignment after) {
                    agent.apply(after);
                  }

                  @Override
                  public void onDelete(TracepointAssignment a, boolean finalStateUnknown) {
                    agent.delete(a.getMetadata().getNamespace(), a.getMetadata().getName());
                  }
                },
                resync.toMillis());
    try {
      informer.start().toCompletableFuture().get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      informer.close();
      throw new IllegalStateException(
          "cannot list the TracepointAssignments of node "
              + node
              + " at "
              + client.getMasterUrl()
              + ": "
              + rootMessage(e),
          e);
    }
    return new AssignmentWatcher(informer);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  @Override
  public void close() {
    informer.close();
  }
}
