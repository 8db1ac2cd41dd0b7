package dev.dynlog.testing;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One real kube-apiserver + etcd per test JVM for the node agent's {@code apiserver} tests, started
 * by fabric8 kube-api-test from the binaries {@code scripts/k8s-test-binaries.sh} caches (the
 * operator's tests use the same; no CRDs are installed here). Missing binaries fail the test with
 * the command that builds them; nothing is downloaded.
 */
public final class KubeApiServer {

  /** Default cache of the binaries script (its DYNLOG_K8S_CACHE). */
  public static final String DEFAULT_CACHE = "/var/cache/dynlog/k8s";

  private static KubeApiServer instance;

  private final String kubeconfig;
  private final KubernetesClient admin;

  private KubeApiServer() throws IOException {
    Path repo = Path.of(System.getProperty("dynlog.repo.dir", "..")).toAbsolutePath().normalize();
    String version = pinnedVersion(repo.resolve("scripts/k8s-test-binaries.sh"));
    String cache =
        System.getenv("KUBE_API_TEST_DIR") != null
            ? System.getenv("KUBE_API_TEST_DIR")
            : DEFAULT_CACHE;
    Path binaries = Path.of(cache, "k8s", version + "-linux-amd64");
    for (String binary : List.of("kube-apiserver", "etcd")) {
      if (!Files.isExecutable(binaries.resolve(binary))) {
        throw new IllegalStateException(
            "missing "
                + binaries.resolve(binary)
                + ": build the Kubernetes test binaries first with scripts/k8s-test-binaries.sh"
                + " (and set KUBE_API_TEST_DIR to the directory it prints if it is not "
                + DEFAULT_CACHE
                + ")");
      }
    }
    // A private test dir (certificates go there) whose k8s/<version> links to the cache.
    Path testDir = Files.createTempDirectory("dynlog-agent-kube-api-test");
    Files.createDirectories(testDir.resolve("k8s"));
    Files.createSymbolicLink(testDir.resolve("k8s").resolve(version + "-linux-amd64"), binaries);
    KubeAPIServer server =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(testDir.toString())
                .withApiServerVersion(version)
                .withOfflineMode(true)
                .withStartupTimeout(120_000)
                .withWaitForEtcdHealthCheckOnStartup(true)
                .build());
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "kube-apiserver-stop"));
    kubeconfig = server.getKubeConfigYaml();
    admin = client(Config.fromKubeconfig(kubeconfig));
  }

  /** The shared server, started on first use; fails in the quick tier. */
  public static synchronized KubeApiServer get() {
    Require.notQuick("a kube-apiserver", "apiserver");
    if (instance == null) {
      try {
        instance = new KubeApiServer();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  /** A client with the admin's client certificate. */
  public KubernetesClient admin() {
    return admin;
  }

  /** The admin kubeconfig (client certificate). */
  public String adminKubeconfig() {
    return kubeconfig;
  }

  /** A new client for this server's URL and CA that authenticates with {@code token} only. */
  public KubernetesClient tokenClient(String token) {
    Config config = Config.fromKubeconfig(kubeconfig);
    config.setClientCertData(null);
    config.setClientKeyData(null);
    config.setClientCertFile(null);
    config.setClientKeyFile(null);
    config.setOauthToken(token);
    return client(config);
  }

  private static KubernetesClient client(Config config) {
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private static String pinnedVersion(Path script) throws IOException {
    Matcher m = Pattern.compile("(?m)^K8S_VERSION=([0-9.]+)").matcher(Files.readString(script));
    if (!m.find()) throw new IllegalStateException("no K8S_VERSION= line in " + script);
    return m.group(1);
  }
}
