package dev.dynlog.operator.k8s;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the operator checks before it starts, so that a configuration or access problem ends the
 * process at once with one line saying what is wrong (a {@link StartupException}) instead of
 * informer stack traces and a process that lives on unhealthy. In order: the API server answers
 * (connection problems, 5xx and 429 are retried for {@link Expectations#timeout}), accepts the
 * credentials (SelfSubjectReview: 401, or anonymous), serves the custom resources (discovery), and
 * grants every permission (one SelfSubjectAccessReview each, 8 at a time; all that are missing are
 * named).
 *
 * <p>It talks HTTP/1.1 on its own client, without fabric8's retries: over HTTP/2 the API server
 * answers bad credentials by closing the connection (GOAWAY), which the JDK client reports as an
 * I/O error instead of the 401.
 */
public final class StartupCheck {

  private static final Logger LOG = LoggerFactory.getLogger(StartupCheck.class);

  private static final Duration PAUSE = Duration.ofSeconds(1);
  private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final int PARALLEL_REVIEWS = 8;

  private StartupCheck() {}

  /**
   * A custom resource that must be served.
   *
   * @param group API group
   * @param version API version
   * @param plural plural resource name
   */
  public record Kind(String group, String version, String plural) {

    /** The kind of a fabric8 model class. */
    public static Kind of(Class<? extends HasMetadata> type) {
      return new Kind(
          HasMetadata.getGroup(type), HasMetadata.getVersion(type), HasMetadata.getPlural(type));
    }

    /** As kubectl names it with its version: {@code tracepoints.dynlog.dev/v1alpha1}. */
    public String name() {
      return plural + "." + group + "/" + version;
    }
  }

  /**
   * What the operator needs and what a person should do when it is missing.
   *
   * @param kinds custom resources that must be served
   * @param installHint what to do when some are not, e.g. how to install the CRDs
   * @param permissions permissions the operator's identity must have
   * @param grantHint what to do when some are missing, e.g. which RBAC rules to grant
   * @param timeout how long to keep trying while the API server cannot be reached
   * @param timeoutSetting the setting that changes {@code timeout}, named in the message
   */
  public record Expectations(
      List<Kind> kinds,
      String installHint,
      List<Permission> permissions,
      String grantHint,
      Duration timeout,
      String timeoutSetting) {}

  /**
   * What the check found.
   *
   * @param user the user name the server knows the operator by ("" when it cannot say)
   * @param permissionsChecked false when the identity may not ask about its permissions, so they
   *     were not checked
   */
  public record Verified(String user, boolean permissionsChecked) {}

  /**
   * Checks the API server of {@code cluster} against {@code expected}.
   *
   * @throws StartupException with one line when something is wrong
   */
  public static Verified verify(ClusterConfig cluster, Expectations expected) {
    Instant deadline = Instant.now().plus(expected.timeout());
    Duration connectTimeout = clamp(expected.timeout(), Duration.ofSeconds(1), MAX_CONNECT_TIMEOUT);
    Config config =
        new ConfigBuilder(cluster.config())
            .withRequestRetryBackoffLimit(0)
            .withConnectionTimeout((int) connectTimeout.toMillis())
            .withRequestTimeout((int) REQUEST_TIMEOUT.toMillis())
            .build();
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(config)
            .withHttpClientBuilderConsumer(b -> b.preferHttp11())
            .build()) {
      while (true) {
        try {
          return checkOnce(client, cluster, expected);
        } catch (KubernetesClientException e) {
          Failures.Failure failure = Failures.of(e);
          if (!failure.worthRetrying()) {
            throw definitive(failure, cluster, e);
          }
          Duration left = Duration.between(Instant.now(), deadline);
          if (left.isNegative() || left.isZero()) {
            throw new StartupException(
                (failure.httpStatus() == 0
                        ? "cannot reach the API server " + cluster.url() + ": "
                        : "the API server " + cluster.url() + " keeps answering ")
                    + failure.description()
                    + "; gave up after "
                    + human(expected.timeout())
                    + " ("
                    + expected.timeoutSetting()
                    + "; server from "
                    + cluster.source()
                    + ")",
                e);
          }
          LOG.debug("API server not usable yet ({}); retrying", failure.description());
          sleep(left.compareTo(PAUSE) < 0 ? left : PAUSE);
        }
      }
    }
  }

  private static StartupException definitive(
      Failures.Failure failure, ClusterConfig cluster, KubernetesClientException e) {
    String where = "server " + cluster.url() + ", credentials from " + cluster.source();
    if (failure.httpStatus() == 401) {
      return new StartupException(
          "the API server refused the credentials: 401 Unauthorized (" + where + ")", e);
    }
    if (failure.httpStatus() == 0) {
      return new StartupException(
          "cannot connect to the API server " + cluster.url() + ": " + failure.description(), e);
    }
    return new StartupException(
        "the API server answered " + failure.description() + " (" + where + ")", e);
  }

  private static Verified checkOnce(
      KubernetesClient client, ClusterConfig cluster, Expectations expected) {
    String user = whoAmI(client, cluster);
    List<Kind> missing = unserved(client, expected.kinds());
    if (!missing.isEmpty()) {
      throw new StartupException(
          "the API server "
              + cluster.url()
              + " does not serve "
              + missing.stream().map(Kind::name).collect(Collectors.joining(" and "))
              + ": "
              + expected.installHint());
    }
    List<Permission> denied = new ArrayList<>();
    List<Future<SelfSubjectAccessReview>> reviews = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_REVIEWS, StartupCheck::daemon);
    try {
      for (Permission p : expected.permissions()) {
        reviews.add(pool.submit(() -> client.resource(review(p)).create()));
      }
      for (int i = 0; i < reviews.size(); i++) {
        SelfSubjectAccessReview review;
        try {
          review = reviews.get(i).get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof KubernetesClientException k && k.getCode() == 403) {
            // This identity may not even ask (no system:basic-user): leave it to the operator's
            // own requests to fail.
            LOG.warn(
                "cannot check the operator's permissions (SelfSubjectAccessReview forbidden): {}",
                Failures.of(k).description());
            return new Verified(user, false);
          }
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StartupException("interrupted while checking permissions", e);
        }
        if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAllowed())) {
          denied.add(expected.permissions().get(i));
        }
      }
    } finally {
      pool.shutdownNow();
    }
    if (!denied.isEmpty()) {
      throw new StartupException(
          "the API server forbids "
              + (user.isEmpty() ? "the operator" : user)
              + " to "
              + Permission.describe(denied)
              + " (403 Forbidden; server "
              + cluster.url()
              + ", credentials from "
              + cluster.source()
              + "): "
              + expected.grantHint());
    }
    return new Verified(user, true);
  }

  /**
   * The user name the API server gives these credentials; "" when it cannot say (a server before
   * Kubernetes 1.28, or an identity that may not ask).
   */
  private static String whoAmI(KubernetesClient client, ClusterConfig cluster) {
    SelfSubjectReview review;
    try {
      review = client.resource(new SelfSubjectReviewBuilder().build()).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403 && String.valueOf(e.getMessage()).contains("system:anonymous")) {
        throw new StartupException(
            "the API server took the operator for system:anonymous: there are no credentials in "
                + cluster.source()
                + " (403 Forbidden; server "
                + cluster.url()
                + ")",
            e);
      }
      if (e.getCode() == 403 || e.getCode() == 404) {
        return "";
      }
      throw e;
    }
    if (review.getStatus() == null || review.getStatus().getUserInfo() == null) {
      return "";
    }
    String name = review.getStatus().getUserInfo().getUsername();
    return name == null ? "" : name;
  }

  private static List<Kind> unserved(KubernetesClient client, List<Kind> kinds) {
    List<Kind> missing = new ArrayList<>();
    for (Kind kind : kinds) {
      APIResourceList list = client.getApiResources(kind.group() + "/" + kind.version());
      Set<String> served =
          list == null || list.getResources() == null
              ? Set.of()
              : list.getResources().stream().map(APIResource::getName).collect(Collectors.toSet());
      if (!served.contains(kind.plural())) {
        missing.add(kind);
      }
    }
    return missing;
  }

  private static SelfSubjectAccessReview review(Permission p) {
    return new SelfSubjectAccessReviewBuilder()
        .withNewSpec()
        .withNewResourceAttributes()
        .withGroup(p.group())
        .withResource(p.resource())
        .withSubresource(p.subresource().isEmpty() ? null : p.subresource())
        .withVerb(p.verb())
        .withNamespace(p.namespace().isEmpty() ? null : p.namespace())
        .withName(p.name().isEmpty() ? null : p.name())
        .endResourceAttributes()
        .endSpec()
        .build();
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "dynlog-startup-check");
    t.setDaemon(true);
    return t;
  }

  private static Duration clamp(Duration d, Duration min, Duration max) {
    return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
  }

  private static String human(Duration d) {
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    return s % 60 == 0 && s > 0 ? s / 60 + "m" : s + "s";
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException("interrupted while waiting for the API server", e);
    }
  }
}
