package dev.dynlog.operator.query;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks the API server (SubjectAccessReview) whether a caller may {@code get} {@code
 * tracepoints/events} of a Tracepoint in API group {@value QueryPaths#GROUP}. Allowed decisions are
 * kept for {@link #CACHE}, so a follow-up query costs no review; denials are never cached, so a new
 * RoleBinding takes effect at once.
 */
public final class AccessReviewer {

  /** How long an allowed decision is reused. */
  static final Duration CACHE = Duration.ofSeconds(10);

  private static final int MAX_CACHED = 1024;

  private record Key(Caller caller, String namespace, String name) {}

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<Key, Instant> allowed = new ConcurrentHashMap<>();

  public AccessReviewer(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** Whether {@code caller} may read the events of Tracepoint {@code namespace/name}. */
  public boolean mayRead(Caller caller, String namespace, String name) {
    Key key = new Key(caller, namespace, name);
    Instant now = clock.instant();
    Instant until = allowed.get(key);
    if (until != null && now.isBefore(until)) {
      return true;
    }
    SubjectAccessReview review =
        new SubjectAccessReviewBuilder()
            .withNewSpec()
            .withUser(caller.user())
            .withGroups(caller.groups())
            .withExtra(caller.extra())
            .withNewResourceAttributes()
            .withGroup(QueryPaths.GROUP)
            .withResource("tracepoints")
            .withSubresource("events")
            .withVerb("get")
            .withNamespace(namespace)
            .withName(name)
            .endResourceAttributes()
            .endSpec()
            .build();
    SubjectAccessReview answer = client.authorization().v1().subjectAccessReview().create(review);
    boolean ok = answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
    if (ok) {
      if (allowed.size() >= MAX_CACHED) {
        allowed.entrySet().removeIf(e -> !now.isBefore(e.getValue()));
        if (allowed.size() >= MAX_CACHED) {
          allowed.clear();
        }
      }
      allowed.put(key, now.plus(CACHE));
    }
    return ok;
  }
}
