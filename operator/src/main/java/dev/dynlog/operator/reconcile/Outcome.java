package dev.dynlog.operator.reconcile;

import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.SpecProblem;
import java.util.List;

/**
 * What one reconcile found, from which the status is built.
 *
 * @param problems spec problems (non-empty means Invalid)
 * @param expired whether the ttl elapsed
 * @param window the ttl window of the current generation
 * @param pods pod counts and reports
 */
public record Outcome(
    List<SpecProblem> problems, boolean expired, TtlWindow window, PodTally pods) {

  public Outcome {
    problems = List.copyOf(problems);
  }

  /** The phase these findings amount to; spec problems win over expiry. */
  public Phase phase() {
    if (!problems.isEmpty()) {
      return Phase.Invalid;
    }
    if (expired) {
      return Phase.Expired;
    }
    if (pods.desired() == 0) {
      return Phase.NoTargets;
    }
    if (pods.attached() == pods.desired()) {
      return Phase.Active;
    }
    return pods.failed() > 0 ? Phase.Degraded : Phase.Pending;
  }
}
