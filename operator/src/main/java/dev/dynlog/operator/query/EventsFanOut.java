package dev.dynlog.operator.query;

import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Finds the nodes of a Tracepoint (its TracepointAssignments, {@code spec.tracepoint}) and asks
 * their agents in parallel: the rows of those that answer, merged by {@link RowMerger}, and a
 * warning naming each node that did not.
 */
public final class EventsFanOut {

  private final KubernetesClient client;
  private final AgentClient agents;
  private final ExecutorService executor;

  public EventsFanOut(KubernetesClient client, AgentClient agents, ExecutorService executor) {
    this.client = client;
    this.agents = agents;
    this.executor = executor;
  }

  /** The Tracepoint, or null when it does not exist. */
  public Tracepoint tracepoint(String namespace, String name) {
    return client.resources(Tracepoint.class).inNamespace(namespace).withName(name).get();
  }

  /** The nodes the Tracepoint is assigned to, sorted by node name. */
  public List<Target> targets(String namespace, String name) {
    return client
        .resources(TracepointAssignment.class)
        .inNamespace(namespace)
        .list()
        .getItems()
        .stream()
        .filter(a -> a.getSpec() != null && name.equals(a.getSpec().getTracepoint()))
        .map(
            a ->
                new Target(
                    a.getSpec().getNodeName(),
                    a.getStatus() == null ? null : a.getStatus().getAgent()))
        .sorted(Comparator.comparing(Target::node))
        .toList();
  }

  /** The warning of a Tracepoint that runs nowhere. */
  public static String noPods(String namespace, String name) {
    return "tracepoint "
        + namespace
        + "/"
        + name
        + " has no running pods: no node runs it, so there are no rows";
  }

  /** The warning of a node whose agent has not said where it serves. */
  public static String noAddress(String node) {
    return Warnings.node(node, "its agent has not reported its address (status.agent) yet");
  }

  /**
   * Asks every agent of the Tracepoint once.
   *
   * @throws BadParameterException when an agent refused the query as malformed (e.g. a where naming
   *     no capture): the same query would fail on every node
   */
  public FanOutResult query(String namespace, String name, EventsParameters params) {
    List<Target> targets = targets(namespace, name);
    List<String> warnings = new ArrayList<>();
    if (targets.isEmpty()) {
      return new FanOutResult(List.of(), List.of(noPods(namespace, name)));
    }
    String query = params.agentQuery();
    List<Target> asked = new ArrayList<>();
    List<CompletableFuture<List<AgentRow>>> answers = new ArrayList<>();
    for (Target t : targets) {
      if (t.agent() == null) {
        warnings.add(noAddress(t.node()));
        continue;
      }
      asked.add(t);
      answers.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return agents.rows(t.agent(), namespace, name, query);
                } catch (AgentException e) {
                  throw new AgentFailure(e);
                }
              },
              executor));
    }
    List<List<AgentRow>> rows = new ArrayList<>();
    for (int i = 0; i < asked.size(); i++) {
      try {
        rows.add(answers.get(i).join());
      } catch (RuntimeException e) {
        AgentException failure = AgentFailure.unwrap(e);
        if (failure != null && failure.status() == 400) {
          throw new BadParameterException(failure.detail());
        }
        warnings.add(
            Warnings.node(
                asked.get(i).node(), failure == null ? String.valueOf(e) : failure.getMessage()));
      }
    }
    return new FanOutResult(RowMerger.merge(rows, params.newestFirst(), params.limit()), warnings);
  }

  /** Carries an {@link AgentException} out of a future. */
  private static final class AgentFailure extends RuntimeException {
    AgentFailure(AgentException cause) {
      super(cause.getMessage(), cause, false, false);
    }

    static AgentException unwrap(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof AgentException a) {
          return a;
        }
      }
      return null;
    }
  }
}
