package dev.dynlog.kube;

import dev.dynlog.agent.NodeAgent;
import dev.dynlog.api.v1alpha1.PodProbeStatus;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.api.v1alpha1.TracepointAssignmentStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes the node agent's reports into the assignments' status subresource by server-side apply, as
 * field manager {@value #FIELD_MANAGER} (forced: a report of a dead agent of the same node is
 * overwritten). Writes run on their own thread, latest report per assignment first; one that fails
 * (the API server is away) is retried every second until it succeeds or a newer report replaces it.
 * A report for an assignment that is gone is dropped. Every report also says where this agent
 * serves its query API ({@code status.agent}), when it serves one.
 */
public final class StatusWriter implements NodeAgent.StatusSink, AutoCloseable {
  /** The field manager of the agent's status writes. */
  public static final String FIELD_MANAGER = "dynlog-agent";

  private record Report(
      String namespace, String name, long generation, List<PodProbeStatus> pods) {}

  private final KubernetesClient client;
  private final PrintStream log;
  private final Map<String, Report> pending = new LinkedHashMap<>();
  private final ScheduledExecutorService writer;
  private final String agentUrl;

  /** A writer whose reports carry no {@code status.agent} (the agent serves no query API). */
  public StatusWriter(KubernetesClient client, PrintStream log) {
    this(client, null, log);
  }

  /**
   * A writer whose reports carry {@code agentUrl} as {@code status.agent} (null: none), logging
   * failed writes to {@code log}.
   */
  public StatusWriter(KubernetesClient client, String agentUrl, PrintStream log) {
    this.client = client;
    this.agentUrl = agentUrl;
    this.log = log;
    this.writer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dynlog-status-writer");
              t.setDaemon(true);
              return t;
            });
    writer.scheduleWithFixedDelay(this::flush, 1, 1, TimeUnit.SECONDS);
  }

  @Override
  public void report(String namespace, String name, long generation, List<PodProbeStatus> pods) {
    synchronized (pending) {
      pending.put(
          namespace + "/" + name, new Report(namespace, name, generation, List.copyOf(pods)));
    }
    writer.execute(this::flush);
  }

  /** Writes every pending report; keeps the ones that failed for the next round. */
  private void flush() {
    List<Map.Entry<String, Report>> todo;
    synchronized (pending) {
      todo = List.copyOf(pending.entrySet());
    }
    for (Map.Entry<String, Report> e : todo) {
      boolean done = write(e.getValue());
      if (done) {
        synchronized (pending) {
          pending.remove(e.getKey(), e.getValue());
        }
      }
    }
  }

  private boolean write(Report r) {
    TracepointAssignment patch = new TracepointAssignment();
    patch.setMetadata(
        new ObjectMetaBuilder().withNamespace(r.namespace()).withName(r.name()).build());
    TracepointAssignmentStatus status = new TracepointAssignmentStatus();
    status.setObservedGeneration(r.generation());
    status.setPods(r.pods());
    status.setAgent(agentUrl);
    patch.setStatus(status);
    try {
      client
          .resources(TracepointAssignment.class)
          .inNamespace(r.namespace())
          .withName(r.name())
          .subresource("status")
          .patch(
              new PatchContext.Builder()
                  .withPatchType(PatchType.SERVER_SIDE_APPLY)
                  .withFieldManager(FIELD_MANAGER)
                  .withForce(true)
                  .build(),
              patch);
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) return true; // the assignment is gone: nothing to report on
      log.println(
          "dynlog agent: cannot write the status of "
              + r.namespace()
              + "/"
              + r.name()
              + " (will retry): "
              + (e.getStatus() != null && e.getStatus().getMessage() != null
                  ? e.getStatus().getMessage()
                  : e.getMessage()));
      return false;
    } catch (RuntimeException e) {
      log.println(
          "dynlog agent: cannot write the status of "
              + r.namespace()
              + "/"
              + r.name()
              + " (will retry): "
              + e);
      return false;
    }
  }

  /** Writes what is pending (for up to 5 s) and stops. */
  @Override
  public void close() {
    try {
      writer.submit(this::flush).get(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // shutting down
    }
    writer.shutdownNow();
  }
}
