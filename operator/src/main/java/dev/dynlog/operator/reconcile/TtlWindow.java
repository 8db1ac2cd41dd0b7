package dev.dynlog.operator.reconcile;

import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.api.v1alpha1.TracepointStatus;
import dev.dynlog.api.v1alpha1.Ttl;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * When the current spec of a Tracepoint started to count and when it expires. The ttl counts from
 * the last spec change: a spec change bumps {@code metadata.generation}; the first time the
 * operator sees a generation it records the moment in {@code status.specChangedAt} (generation 1
 * counts from the object's creation).
 *
 * @param specChangedAt start of the window
 * @param ttl its length
 * @param expiresAt end of the window
 */
public record TtlWindow(Instant specChangedAt, Duration ttl, Instant expiresAt) {

  /** The window of the Tracepoint's current generation; an unusable ttl counts as the default. */
  public static TtlWindow of(Tracepoint tp, Instant now) {
    Duration ttl;
    try {
      ttl = Ttl.parse(tp.getSpec().getTtl());
    } catch (IllegalArgumentException e) {
      ttl = Ttl.DEFAULT;
    }
    Instant start = start(tp, now);
    return new TtlWindow(start, ttl, start.plus(ttl));
  }

  /** True when {@code now} is at or past the end of the window. */
  public boolean expiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }

  private static Instant start(Tracepoint tp, Instant now) {
    TracepointStatus status = tp.getStatus();
    Long generation = tp.getMetadata().getGeneration();
    if (status != null
        && status.getSpecChangedAt() != null
        && generation != null
        && generation.equals(status.getObservedGeneration())) {
      return Instant.parse(status.getSpecChangedAt());
    }
    if (generation != null && generation == 1L && tp.getMetadata().getCreationTimestamp() != null) {
      Instant created = Instant.parse(tp.getMetadata().getCreationTimestamp());
      return created.isAfter(now) ? now.truncatedTo(ChronoUnit.SECONDS) : created;
    }
    return now.truncatedTo(ChronoUnit.SECONDS);
  }
}
