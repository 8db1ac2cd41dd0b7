package dev.dynlog.operator.reconcile;

import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.SpecProblem;
import dev.dynlog.api.v1alpha1.TracepointStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Builds a Tracepoint status from an {@link Outcome}, following Kubernetes conventions: conditions
 * Valid, Ready and Expired, each keeping its lastTransitionTime while its status does not change.
 */
public final class StatusBuilder {

  public static final String VALID = "Valid";
  public static final String READY = "Ready";
  public static final String EXPIRED = "Expired";

  private StatusBuilder() {}

  /** The new status; {@code previous} may be null. */
  public static TracepointStatus build(
      TracepointStatus previous, long generation, Outcome outcome, Instant now) {
    TracepointStatus s = new TracepointStatus();
    Phase phase = outcome.phase();
    s.setPhase(phase);
    s.setObservedGeneration(generation);
    s.setSpecChangedAt(outcome.window().specChangedAt().toString());
    s.setExpiresAt(outcome.window().expiresAt().toString());
    PodTally pods =
        outcome.expired() || !outcome.problems().isEmpty()
            ? new PodTally(outcome.pods().desired(), 0, 0, List.of(), 0)
            : outcome.pods();
    s.setDesiredPods(pods.desired());
    s.setAttachedPods(pods.attached());
    s.setFailedPods(pods.failed());
    s.setPods(new ArrayList<>(pods.reports()));
    s.setOmittedPods(pods.omitted());

    List<Condition> old =
        previous == null || previous.getConditions() == null ? List.of() : previous.getConditions();
    List<Condition> conditions = new ArrayList<>();
    if (outcome.problems().isEmpty()) {
      conditions.add(
          condition(old, VALID, true, "SpecValid", "the spec is valid", generation, now));
    } else {
      conditions.add(
          condition(
              old,
              VALID,
              false,
              outcome.problems().get(0).reason(),
              outcome.problems().stream()
                  .map(SpecProblem::message)
                  .collect(Collectors.joining("; ")),
              generation,
              now));
    }
    conditions.add(readyCondition(old, phase, pods, generation, now));
    conditions.add(
        outcome.expired()
            ? condition(
                old,
                EXPIRED,
                true,
                "TtlElapsed",
                "ttl "
                    + outcome.window().ttl().toString().substring(2).toLowerCase()
                    + " elapsed at "
                    + outcome.window().expiresAt()
                    + "; change the spec to renew",
                generation,
                now)
            : condition(
                old,
                EXPIRED,
                false,
                "WithinTtl",
                "expires at " + outcome.window().expiresAt(),
                generation,
                now));
    s.setConditions(conditions);
    return s;
  }

  /**
   * The previous status with condition Ready set to False, reason ReconcileError and the error's
   * message (e.g. a permission the operator lacks); everything else is kept.
   */
  public static TracepointStatus withReconcileError(
      TracepointStatus previous, long generation, String message, Instant now) {
    TracepointStatus s = previous == null ? new TracepointStatus() : previous;
    List<Condition> old = s.getConditions() == null ? List.of() : s.getConditions();
    String text = message == null ? "unknown error" : message;
    Condition ready =
        condition(
            old,
            READY,
            false,
            "ReconcileError",
            text.length() > 1024 ? text.substring(0, 1024) : text,
            generation,
            now);
    List<Condition> conditions =
        new ArrayList<>(old.stream().filter(c -> !READY.equals(c.getType())).toList());
    conditions.add(ready);
    s.setConditions(conditions);
    return s;
  }

  private static Condition readyCondition(
      List<Condition> old, Phase phase, PodTally pods, long generation, Instant now) {
    String counts =
        pods.attached() + "/" + pods.desired() + " pods attached, " + pods.failed() + " failed";
    return switch (phase) {
      case Active -> condition(old, READY, true, "AllAttached", counts, generation, now);
      case Degraded -> condition(old, READY, false, "AttachFailed", counts, generation, now);
      case Pending -> condition(old, READY, false, "WaitingForAgents", counts, generation, now);
      case NoTargets ->
          condition(
              old, READY, false, "NoTargets", "no running pod matches the target", generation, now);
      case Invalid ->
          condition(old, READY, false, "Invalid", "the spec is invalid", generation, now);
      case Expired ->
          condition(
              old, READY, false, "Expired", "the ttl elapsed; probes detached", generation, now);
    };
  }

  private static Condition condition(
      List<Condition> old,
      String type,
      boolean status,
      String reason,
      String message,
      long generation,
      Instant now) {
    String statusText = status ? "True" : "False";
    String since =
        old.stream()
            .filter(c -> type.equals(c.getType()) && statusText.equals(c.getStatus()))
            .map(Condition::getLastTransitionTime)
            .filter(Objects::nonNull)
            .findFirst()
            .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    return new ConditionBuilder()
        .withType(type)
        .withStatus(statusText)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(since)
        .build();
  }
}
