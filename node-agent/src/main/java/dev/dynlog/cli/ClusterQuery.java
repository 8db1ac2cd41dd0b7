package dev.dynlog.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A GET of the aggregated query API ({@value #GROUP_VERSION_PATH}) through the Kubernetes API
 * server, authenticated as the kubeconfig says (client certificates, tokens, exec plugins:
 * fabric8's client and its authenticated HTTP client do it). The kubeconfig is {@code
 * --kubeconfig}, else {@code KUBECONFIG}, else {@code ~/.kube/config}, else the pod's service
 * account; {@code --context} picks a context.
 */
final class ClusterQuery implements AutoCloseable {

  /** The aggregated query API's group and version, as served by the operator. */
  static final String GROUP_VERSION_PATH = "/apis/query.dynlog.dev/v1alpha1";

  /** How long to wait for the API server's answer to begin (not for a follow's rows). */
  static final long TIMEOUT_SECONDS = 30;

  private final KubernetesClient client;
  private final String server;

  private ClusterQuery(KubernetesClient client) {
    this.client = client;
    String url = client.getMasterUrl().toString();
    this.server = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /**
   * A client for the kubeconfig at {@code kubeconfig} (null: the usual places) and {@code context}
   * (null: its current context).
   *
   * @throws IllegalArgumentException when there is no kubeconfig or it cannot be used, saying why
   */
  static ClusterQuery connect(Path kubeconfig, String context) {
    Config config;
    try {
      if (kubeconfig != null) {
        if (!Files.isRegularFile(kubeconfig)) {
          throw new IllegalArgumentException("--kubeconfig " + kubeconfig + " is not a file");
        }
        config =
            Config.fromKubeconfig(context, Files.readString(kubeconfig), kubeconfig.toString());
      } else {
        if (!someKubeconfig()) {
          throw new IllegalArgumentException(
              "no kubeconfig: give --kubeconfig PATH, set KUBECONFIG, create ~/.kube/config, or"
                  + " ask an agent directly with --agent URL");
        }
        config = Config.autoConfigure(context);
      }
    } catch (IOException | KubernetesClientException e) {
      throw new IllegalArgumentException(
          "cannot read the kubeconfig"
              + (kubeconfig == null ? "" : " " + kubeconfig)
              + ": "
              + e.getMessage());
    }
    if (context != null && !context.equals(currentContext(config))) {
      throw new IllegalArgumentException(
          "--context '"
              + context
              + "' is not in the kubeconfig"
              + (config.getContexts() == null || config.getContexts().isEmpty()
                  ? ""
                  : "; its contexts: "
                      + String.join(
                          ", ",
                          config.getContexts().stream().map(c -> c.getName()).sorted().toList())));
    }
    // A person waits: an error is said at once, as kubectl does, not after fabric8's backoff.
    config.setRequestRetryBackoffLimit(0);
    return new ClusterQuery(new KubernetesClientBuilder().withConfig(config).build());
  }

  private static String currentContext(Config config) {
    return config.getCurrentContext() == null ? null : config.getCurrentContext().getName();
  }

  /** Whether KUBECONFIG, ~/.kube/config or a pod's service account is there to be used. */
  private static boolean someKubeconfig() {
    String env = System.getenv("KUBECONFIG");
    if (env != null && !env.isBlank()) return true;
    if (Files.isRegularFile(Path.of(System.getProperty("user.home"), ".kube", "config"))) {
      return true;
    }
    return System.getenv("KUBERNETES_SERVICE_HOST") != null;
  }

  /** The API server's base URL, for messages. */
  String server() {
    return server;
  }

  /** {@code /apis/query.dynlog.dev/v1alpha1/namespaces/NS/tracepoints/NAME/events?QUERY}. */
  static String eventsPath(String namespace, String name, String query) {
    return GROUP_VERSION_PATH
        + "/namespaces/"
        + encode(namespace)
        + "/tracepoints/"
        + encode(name)
        + "/events?"
        + query;
  }

  /**
   * GETs {@code path} (from {@link #eventsPath}) asking for JSONL; a follow is streamed without a
   * timeout.
   *
   * @throws IllegalStateException when the API server cannot be reached, saying why
   */
  EventsCommand.Answer get(String path, boolean follow) {
    HttpClient http = client.getHttpClient();
    HttpRequest.Builder request =
        http.newHttpRequestBuilder()
            .uri(server + path)
            .header("Accept", "application/x-ndjson")
            .timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (follow) request.forStreaming();
    HttpResponse<InputStream> response;
    try {
      response =
          http.sendAsync(request.build(), InputStream.class)
              .get(TIMEOUT_SECONDS + 5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking the API server at " + server);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "the API server at " + server + " did not answer within " + TIMEOUT_SECONDS + " s");
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot reach the API server at " + server + " (" + reason(e.getCause()) + ")");
    }
    List<String> warnings = response.headers("Warning");
    return new EventsCommand.Answer(
        response.code(),
        warnings == null ? List.of() : warnings,
        response.body() == null ? InputStream.nullInputStream() : response.body());
  }

  /** The innermost message of a failure. */
  private static String reason(Throwable e) {
    String message = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) message = t.getMessage();
    }
    return message == null ? "the connection failed" : message;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public void close() {
    client.close();
  }
}
