package dev.dynlog.operator.query;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Trusts a request when the {@link RequestHeaderConfig} read from a ConfigMap (by default {@code
 * kube-system/extension-apiserver-authentication}) says its client certificate is the front
 * proxy's. The ConfigMap is read again after {@link #REFRESH}, so a rotated CA is picked up.
 */
public final class FrontProxyAuthenticator {

  /** Where the kube-apiserver publishes its request-header settings. */
  public static final String DEFAULT_NAMESPACE = "kube-system";

  public static final String DEFAULT_NAME = "extension-apiserver-authentication";

  /** How long a read ConfigMap is used. */
  static final Duration REFRESH = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final Clock clock;
  private RequestHeaderConfig config;
  private Instant readAt = Instant.MIN;

  public FrontProxyAuthenticator(
      KubernetesClient client, String namespace, String name, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.clock = clock;
  }

  /**
   * The caller of a request.
   *
   * @throws NotAuthenticatedException when the request is not from the trusted proxy
   * @throws IllegalStateException when the ConfigMap cannot be read or is malformed (a 500: the
   *     server, not the caller, is misconfigured)
   */
  public Caller authenticate(X509Certificate[] chain, Map<String, List<String>> headers) {
    return config().authenticate(chain, headers);
  }

  /** The current request-header settings, read when older than {@link #REFRESH}. */
  public synchronized RequestHeaderConfig config() {
    Instant now = clock.instant();
    if (config == null || now.isAfter(readAt.plus(REFRESH))) {
      String where = "ConfigMap " + namespace + "/" + name;
      ConfigMap map;
      try {
        map = client.configMaps().inNamespace(namespace).withName(name).get();
      } catch (KubernetesClientException e) {
        throw new IllegalStateException("cannot read " + where + ": " + e.getMessage(), e);
      }
      if (map == null || map.getData() == null) {
        throw new IllegalStateException(
            where
                + " does not exist: the kube-apiserver publishes it when run with"
                + " --requestheader-client-ca-file (the aggregation layer)");
      }
      try {
        config = RequestHeaderConfig.parse(map.getData(), where);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      readAt = now;
    }
    return config;
  }
}
