package dev.dynlog.operator.testing;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One real kube-apiserver + etcd per test JVM, started by fabric8 kube-api-test from the binaries
 * that {@code scripts/k8s-test-binaries.sh} builds, with dynlog's CRDs installed ({@link #get()});
 * a test that needs a server without them starts its own ({@link #startWithoutCrds()}). Missing
 * binaries fail the test with the command that builds them; nothing is downloaded.
 */
public final class TestApiServer {

  /** Default cache of the binaries script (its DYNLOG_K8S_CACHE). */
  public static final String DEFAULT_CACHE = "/var/cache/dynlog/k8s";

  private static TestApiServer instance;

  private final KubeAPIServer server;
  private final String kubeConfigYaml;
  private final Path kubeConfigFile;
  private final Path binaries;
  private final Path kubectl;
  private final KubernetesClient client;
  private final FrontProxy frontProxy;

  private TestApiServer(boolean withCrds) throws IOException {
    Path repo = Path.of(System.getProperty("dynlog.repo.dir", "..")).toAbsolutePath().normalize();
    String version = pinnedVersion(repo.resolve("scripts/k8s-test-binaries.sh"));
    String cacheDir =
        System.getenv("KUBE_API_TEST_DIR") != null
            ? System.getenv("KUBE_API_TEST_DIR")
            : DEFAULT_CACHE;
    Path binaries = Path.of(cacheDir, "k8s", version + "-linux-amd64");
    for (String binary : List.of("kube-apiserver", "etcd", "kubectl")) {
      if (!Files.isExecutable(binaries.resolve(binary))) {
        throw new IllegalStateException(
            "missing "
                + binaries.resolve(binary)
                + ": build the Kubernetes test binaries first with scripts/k8s-test-binaries.sh "
                + "(and set KUBE_API_TEST_DIR to the directory it prints if it is not "
                + DEFAULT_CACHE
                + ")");
      }
    }
    // A private test dir (certificates are written there) whose k8s/<version> links to the cache.
    Path testDir = Files.createTempDirectory("dynlog-kube-api-test");
    Files.createDirectories(testDir.resolve("k8s"));
    Files.createSymbolicLink(testDir.resolve("k8s").resolve(version + "-linux-amd64"), binaries);
    frontProxy = FrontProxy.create(testDir.resolve("front-proxy"));
    KubeAPIServerConfigBuilder config =
        KubeAPIServerConfigBuilder.anAPIServerConfig()
            .withTestDir(testDir.toString())
            .withApiServerVersion(version)
            .withOfflineMode(true)
            .withStartupTimeout(120_000)
            .withWaitForEtcdHealthCheckOnStartup(true);
    for (String flag : frontProxy.apiServerFlags()) config.withApiServerFlag(flag); // --k=v
    server = new KubeAPIServer(config.build());
    server.start();
    if (withCrds) {
      Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "kube-apiserver-stop"));
    }
    kubeConfigYaml = server.getKubeConfigYaml();
    kubeConfigFile = testDir.resolve("kubeconfig.yaml");
    Files.writeString(kubeConfigFile, kubeConfigYaml);
    this.binaries = binaries;
    kubectl = binaries.resolve("kubectl");
    client = newClient(null);
    if (withCrds) {
      installCrds(repo.resolve("crds"));
    }
  }

  /** The shared server, started on first use. */
  public static synchronized TestApiServer get() {
    requireApiServerTier();
    if (instance == null) {
      try {
        instance = new TestApiServer(true);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  /**
   * Starts another API server, without dynlog's CRDs (the shared one has them), for a test that
   * needs their absence; the caller stops it with {@link #stop()}.
   */
  public static TestApiServer startWithoutCrds() {
    requireApiServerTier();
    try {
      return new TestApiServer(false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void requireApiServerTier() {
    if (Boolean.getBoolean("dynlog.quick")) {
      throw new IllegalStateException(
          "this test needs a kube-apiserver but is in the quick tier"
              + " (dynlog.quick=true): tag it apiserver");
    }
  }

  /** Stops a server from {@link #startWithoutCrds()} (the shared one stops with the JVM). */
  public void stop() {
    if (this == instance) {
      throw new IllegalStateException("the shared API server stops with the test JVM");
    }
    client.close();
    server.stop();
  }

  /** The aggregation layer's request-header CA and front-proxy client certificate. */
  public FrontProxy frontProxy() {
    return frontProxy;
  }

  /**
   * Registers an aggregated API served on this machine at {@code https://localhost:port}: an
   * APIService for {@code version.group} backed by a Service of type ExternalName (the aggregator
   * resolves it to localhost, as no cluster network exists here), TLS not verified (a test
   * certificate); returns once the APIService is Available.
   */
  public void registerAggregatedApi(String group, String version, int port) {
    String ns = "dynlog-aggregated";
    String service = group.replace('.', '-');
    kubectlWithInput(
        "apiVersion: v1\n"
            + "kind: Namespace\n"
            + "metadata: {name: "
            + ns
            + "}\n"
            + "---\n"
            + "apiVersion: v1\n"
            + "kind: Service\n"
            + "metadata: {name: "
            + service
            + ", namespace: "
            + ns
            + "}\n"
            + "spec:\n"
            + "  type: ExternalName\n"
            + "  externalName: localhost\n"
            + "  ports: [{port: "
            + port
            + ", protocol: TCP}]\n"
            + "---\n"
            + "apiVersion: apiregistration.k8s.io/v1\n"
            + "kind: APIService\n"
            + "metadata: {name: "
            + version
            + "."
            + group
            + "}\n"
            + "spec:\n"
            + "  group: "
            + group
            + "\n"
            + "  version: "
            + version
            + "\n"
            + "  service: {name: "
            + service
            + ", namespace: "
            + ns
            + ", port: "
            + port
            + "}\n"
            + "  insecureSkipTLSVerify: true\n"
            + "  groupPriorityMinimum: 1000\n"
            + "  versionPriority: 15\n",
        "apply",
        "-f",
        "-");
    Outcome available =
        kubectlOutcome(
            "",
            "wait",
            "--for=condition=Available",
            "--timeout=60s",
            "apiservice/" + version + "." + group);
    if (available.exitCode() != 0) {
      throw new IllegalStateException(
          "the APIService "
              + version
              + "."
              + group
              + " did not become Available: "
              + kubectlOutcome("", "get", "apiservice", version + "." + group, "-o", "yaml")
                  .output());
    }
  }

  /** The admin kubeconfig (client certificate). */
  public String adminKubeconfig() {
    return kubeConfigYaml;
  }

  /** A kubeconfig for this server's URL and CA that authenticates with a bearer token. */
  public String tokenKubeconfig(String token) {
    return tokenKubeconfig(Config.fromKubeconfig(kubeConfigYaml).getMasterUrl(), token);
  }

  /**
   * A kubeconfig for {@code url} with this server's CA and a bearer token (e.g. a URL where no
   * server listens); no credentials at all when {@code token} is null.
   */
  public String tokenKubeconfig(String url, String token) {
    Config admin = Config.fromKubeconfig(kubeConfigYaml);
    String ca =
        admin.getCaCertFile() != null
            ? "    certificate-authority: " + admin.getCaCertFile() + "\n"
            : "    certificate-authority-data: " + admin.getCaCertData() + "\n";
    return "apiVersion: v1\n"
        + "kind: Config\n"
        + "clusters:\n"
        + "- name: test\n"
        + "  cluster:\n"
        + "    server: "
        + url
        + "\n"
        + ca
        + "users:\n"
        + "- name: test\n"
        + (token == null ? "  user: {}\n" : "  user:\n    token: " + token + "\n")
        + "contexts:\n"
        + "- name: test\n"
        + "  context: {cluster: test, user: test}\n"
        + "current-context: test\n";
  }

  /** The admin client of the tests. */
  public KubernetesClient client() {
    return client;
  }

  /** A new admin client; with an interceptor when given (e.g. to count requests). */
  public KubernetesClient newClient(Interceptor interceptor) {
    return newClient(Config.fromKubeconfig(kubeConfigYaml), interceptor);
  }

  /** A new client authenticated by a bearer token (e.g. a service account's). */
  public KubernetesClient newTokenClient(String token, Interceptor interceptor) {
    Config admin = Config.fromKubeconfig(kubeConfigYaml);
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(admin.getMasterUrl())
            .withCaCertData(admin.getCaCertData())
            .withCaCertFile(admin.getCaCertFile())
            .withTrustCerts(true)
            .withOauthToken(token)
            .build();
    return newClient(config, interceptor);
  }

  private static KubernetesClient newClient(Config config, Interceptor interceptor) {
    config.setRequestTimeout(30_000);
    KubernetesClientBuilder builder = new KubernetesClientBuilder().withConfig(config);
    if (interceptor != null) {
      builder.withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("test", interceptor));
    }
    return builder.build();
  }

  /** Runs the kubectl built with the server; returns stdout, fails on a non-zero exit. */
  public String kubectl(String... args) {
    return kubectlWithInput("", args);
  }

  /** Runs kubectl with {@code input} on its standard input. */
  public String kubectlWithInput(String input, String... args) {
    List<String> command =
        new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", kubeConfigFile.toString()));
    command.addAll(List.of(args));
    return run(command, input);
  }

  /** What a command printed (stdout and stderr together) and its exit status. */
  public record Outcome(int exitCode, String output) {}

  /** Runs kubectl with {@code input} on its standard input; a non-zero exit is returned. */
  public Outcome kubectlOutcome(String input, String... args) {
    List<String> command =
        new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", kubeConfigFile.toString()));
    command.addAll(List.of(args));
    return execute(command, input);
  }

  /**
   * Runs kubectl as the user of another kubeconfig (e.g. a token one); a non-zero exit is returned.
   */
  public Outcome kubectlAs(Path kubeconfig, String... args) {
    List<String> command =
        new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    return execute(command, "");
  }

  /**
   * Runs a tool cached next to the server binaries (e.g. helm), failing with the build command when
   * it is missing.
   */
  public String tool(String name, String... args) {
    Path tool = binaries.resolve(name);
    if (!Files.isExecutable(tool)) {
      throw new IllegalStateException(
          "missing " + tool + ": rebuild the test binaries with " + "scripts/k8s-test-binaries.sh");
    }
    List<String> command = new ArrayList<>(List.of(tool.toString()));
    command.addAll(List.of(args));
    return run(command, "");
  }

  private static String run(List<String> command, String input) {
    Outcome outcome = execute(command, input);
    if (outcome.exitCode() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed:\n" + outcome.output());
    }
    return outcome.output();
  }

  private static Outcome execute(List<String> command, String input) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      try (var stdin = p.getOutputStream()) {
        stdin.write(input.getBytes(StandardCharsets.UTF_8));
      }
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
      }
      return new Outcome(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private void installCrds(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
        CustomResourceDefinition crd;
        try (InputStream in = Files.newInputStream(file)) {
          crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
        }
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(crd.getMetadata().getName())
            .waitUntilCondition(
                c ->
                    c.getStatus() != null
                        && c.getStatus().getConditions() != null
                        && c.getStatus().getConditions().stream()
                            .anyMatch(
                                x ->
                                    x.getType().equals("Established")
                                        && x.getStatus().equals("True")),
                30,
                TimeUnit.SECONDS);
      }
    }
  }

  private static String pinnedVersion(Path script) throws IOException {
    Matcher m = Pattern.compile("(?m)^K8S_VERSION=([0-9.]+)").matcher(Files.readString(script));
    if (!m.find()) {
      throw new IllegalStateException("no K8S_VERSION= line in " + script);
    }
    return m.group(1);
  }
}
