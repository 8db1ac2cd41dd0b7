package dev.dynlog.cli;

import dev.dynlog.agent.NodeAgent;
import dev.dynlog.http.AgentHttpServer;
import dev.dynlog.http.CachedAuthenticator;
import dev.dynlog.http.HttpAddress;
import dev.dynlog.kube.AssignmentWatcher;
import dev.dynlog.kube.StatusWriter;
import dev.dynlog.kube.TokenReviewAuthenticator;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.proc.ProcessTable;
import dev.dynlog.query.Durations;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.trace.Tracer;
import dev.dynlog.trace.TracerException;
import dev.dynlog.trace.TrapCosts;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dynlog agent}: the node agent of a Kubernetes node. It watches the TracepointAssignments
 * of its node, traces the processes of the assigned pods' containers, reports each pod's state in
 * the assignments' status, and serves rows and metrics; SIGTERM detaches everything.
 */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = {
      "Run as the node agent of a Kubernetes node: watch the TracepointAssignments of --node, trace",
      "the processes of the assigned pods' containers (the host's /proc; run in the host's PID",
      "namespace), report each pod's state in the assignment's status, and serve /metrics and the",
      "query API (tracepoints named NAMESPACE/NAME). SIGTERM detaches everything."
    })
public final class AgentCommand implements Callable<Integer> {

  @Option(
      names = "--node",
      paramLabel = "NAME",
      defaultValue = "${env:NODE_NAME}",
      description = "This node's name (default: the NODE_NAME environment variable).")
  String node;

  @Option(
      names = "--kubeconfig",
      paramLabel = "PATH",
      description =
          "Kubeconfig file (default: in a pod, its service account; else KUBECONFIG or ~/.kube/config).")
  Path kubeconfig;

  @Option(
      names = "--http",
      paramLabel = "ADDR",
      description =
          "Serve /metrics, /healthz and the query API on ADDR; :PORT is 127.0.0.1:PORT, give"
              + " 0.0.0.0:PORT to serve every interface (as in a pod).")
  String http;

  @Option(
      names = "--advertise",
      paramLabel = "URL",
      description =
          "Where the aggregated query API reaches this agent, written into every assignment's"
              + " status.agent (default: http://$POD_IP:PORT when POD_IP is set and --http serves"
              + " every interface, else the address --http serves). Needs --http.")
  String advertise;

  @Option(
      names = "--query-clients",
      paramLabel = "USER[,USER]",
      split = ",",
      defaultValue = TokenReviewAuthenticator.OPERATOR_USER,
      description =
          "The only users (as a TokenReview names them) whose bearer tokens the query API"
              + " /api/v1/... answers (default: ${DEFAULT-VALUE}, the operator's service account)."
              + " /metrics and /healthz need no token.")
  List<String> queryClients;

  @Option(
      names = "--proc",
      paramLabel = "DIR",
      defaultValue = "/proc",
      description = "The host's /proc (default ${DEFAULT-VALUE}).")
  Path proc;

  @Option(
      names = "--tick",
      paramLabel = "DURATION",
      defaultValue = "1s",
      hidden = true,
      description = "How often expiry and new or exited processes are checked.")
  String tick;

  @Mixin StoreOptions store;

  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  /**
   * Measures the node's per-hit uprobe costs before anything is attached (they price every probe
   * against its {@code limits.maxCpuPercent}) and logs them; when that fails, logs why and keeps
   * the conservative defaults.
   */
  private static Tracer calibrated(Tracer tracer) {
    long start = System.nanoTime();
    try {
      TrapCosts costs = tracer.calibrate(Path.of(System.getProperty("java.io.tmpdir")));
      System.err.printf(
          "dynlog agent: calibrated in %d ms: %s%n",
          (System.nanoTime() - start) / 1_000_000, costs);
    } catch (TracerException e) {
      System.err.println(
          "dynlog agent: cannot calibrate the uprobe cost ("
              + e.getMessage()
              + "); CPU budgets use "
              + tracer.trapCosts());
    }
    return tracer;
  }

  @Override
  public Integer call() throws Exception {
    if (node == null || node.isBlank()) {
      throw new IllegalArgumentException(
          "--node is required (or set NODE_NAME, as the DaemonSet does)");
    }
    if (!Files.isDirectory(proc))
      throw new IllegalArgumentException("--proc " + proc + " is not a directory");
    Duration tickEvery = Duration.ofNanos(Durations.parseNanos(tick, "--tick"));
    if (advertise != null && http == null) {
      throw new IllegalArgumentException(
          "--advertise needs --http: without it this agent serves no query API");
    }
    if (advertise != null) checkAdvertise(advertise);
    List<String> clients = queryClients.stream().map(String::strip).toList();
    if (clients.isEmpty() || clients.stream().anyMatch(String::isEmpty)) {
      throw new IllegalArgumentException(
          "--query-clients '"
              + String.join(",", queryClients)
              + "' has an empty user name; give e.g. "
              + TokenReviewAuthenticator.OPERATOR_USER);
    }
    Thread hook = new Thread(this::onSignal, "dynlog-agent-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    TracepointRegistry registry = new TracepointRegistry(store.config());
    try (KubernetesClient client = client();
        Tracer tracer = calibrated(Tracer.open());
        DynlogMetrics metrics = new DynlogMetrics(registry);
        AgentHttpServer server =
            http == null
                ? null
                : AgentHttpServer.start(
                    HttpAddress.parse(http),
                    registry,
                    metrics,
                    new CachedAuthenticator(
                        new TokenReviewAuthenticator(client, clients), System::nanoTime));
        StatusWriter status =
            new StatusWriter(
                client,
                server == null ? null : advertised(advertise, System.getenv("POD_IP"), server),
                System.err);
        NodeAgent agent =
            new NodeAgent(
                new NodeAgent.Options(node, tickEvery, System.err),
                tracer,
                registry,
                new ProcessTable(proc),
                status,
                Clock.systemUTC());
        AssignmentWatcher watcher =
            AssignmentWatcher.start(
                client, node, agent, Duration.ofMinutes(5), Duration.ofMinutes(1))) {
      System.err.println(
          "dynlog agent: node "
              + node
              + ", watching its TracepointAssignments at "
              + client.getMasterUrl()
              + (server == null
                  ? ""
                  : "; serving /metrics and /api/v1 on "
                      + server.baseUri()
                      + " (the query API for "
                      + String.join(", ", clients)
                      + "), advertised as "
                      + advertised(advertise, System.getenv("POD_IP"), server)));
      stop.await();
      System.err.println("dynlog agent: stopping; detaching everything");
    } finally {
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running and waits for us
      }
    }
    return 0;
  }

  /**
   * The URL written into {@code status.agent}: {@code --advertise} if given; else {@code
   * http://POD_IP:PORT} when {@code podIp} is set and the server listens on every interface; else
   * the server's own base URI.
   */
  static String advertised(String advertise, String podIp, AgentHttpServer server) {
    if (advertise != null) return stripSlash(advertise.strip());
    if (podIp != null && !podIp.isBlank() && server.allInterfaces()) {
      String host = podIp.strip();
      if (host.contains(":")) host = "[" + host + "]";
      return "http://" + host + ":" + server.port();
    }
    return server.baseUri().toString();
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** An http(s) URL with a host and nothing after the path, or an error saying what to write. */
  static void checkAdvertise(String url) {
    String example = "write the agent's base URL, e.g. http://10.0.0.5:9464";
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--advertise '" + url + "' is not a URL; " + example);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "--advertise '" + url + "' must be an http:// or https:// URL; " + example);
    }
    if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "--advertise '" + url + "' needs a host and no ? or #; " + example);
    }
  }

  private KubernetesClient client() throws Exception {
    if (kubeconfig == null) return new KubernetesClientBuilder().build();
    if (!Files.isRegularFile(kubeconfig)) {
      throw new IllegalArgumentException("--kubeconfig " + kubeconfig + " is not a file");
    }
    Config config =
        Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** SIGTERM or Ctrl-C: stop, and wait (bounded) until everything is detached. */
  private void onSignal() {
    stop.countDown();
    try {
      stopped.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
