package dev.dynlog.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.Fixtures;
import dev.dynlog.operator.testing.ServiceAccounts;
import dev.dynlog.operator.testing.TestApiServer;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator jar as a process ({@code java -jar dynlog-operator.jar}, the Deployment's entry
 * point) with a configuration or an access it cannot work with, against the real test API server (a
 * wrong token, no credentials, service accounts without RBAC or lacking one permission, a malformed
 * kubeconfig, an unreachable URL, a server without the CRDs, malformed settings, a port in use): it
 * must exit with status 1 within seconds, so that Kubernetes restarts it, and say on stderr in one
 * line, without a stack trace, what is wrong. Before, a wrong token gave "GOAWAY received", 157
 * lines of stack trace, "Operator will be stopped", and a process that lived on with /healthz 503.
 */
@Tag("apiserver")
class OperatorStartupIT {

  /**
   * Bound on how long a failing start may take: the JVM alone needs up to ~5 s on the shared 2-core
   * test machine under load.
   */
  private static final Duration PROMPTLY = Duration.ofSeconds(20);

  private static final String PREFIX = "dynlog-operator: ";

  @TempDir static Path dir;

  private static TestApiServer server;
  private static Fixtures fx;
  private static String url;

  @BeforeAll
  static void server() {
    server = TestApiServer.get();
    fx = new Fixtures(server.client());
    String master = Config.fromKubeconfig(server.adminKubeconfig()).getMasterUrl();
    url = master.endsWith("/") ? master.substring(0, master.length() - 1) : master;
  }

  @Test
  void wrongBearerToken() throws IOException {
    Path kubeconfig = write("wrong-token", server.tokenKubeconfig("not-a-valid-token"));
    Exit exit = run(Map.of("KUBECONFIG", kubeconfig.toString()));
    assertEquals(
        PREFIX
            + "the API server refused the credentials: 401 Unauthorized (server "
            + url
            + ", credentials from KUBECONFIG="
            + kubeconfig
            + ")",
        onlyLine(exit));
  }

  @Test
  void noCredentials() throws IOException {
    Path kubeconfig = write("anonymous", server.tokenKubeconfig(url, null));
    assertEquals(
        PREFIX
            + "the API server took the operator for system:anonymous: there are no credentials in"
            + " KUBECONFIG="
            + kubeconfig
            + " (403 Forbidden; server "
            + url
            + ")",
        onlyLine(run(Map.of("KUBECONFIG", kubeconfig.toString()))));
  }

  @Test
  void serviceAccountWithoutRbac() throws IOException {
    String ns = fx.namespace("startup-norbac");
    String token = ServiceAccounts.create(server.client(), ns, "nobody", List.of(), List.of());
    Path kubeconfig = write("norbac", server.tokenKubeconfig(token));
    String line = onlyLine(run(Map.of("KUBECONFIG", kubeconfig.toString())));
    assertTrue(
        line.startsWith(
            PREFIX
                + "the API server forbids system:serviceaccount:"
                + ns
                + ":nobody to get, list, watch, patch, update tracepoints.dynlog.dev; "),
        line);
    for (String missing :
        List.of(
            "; update tracepoints.dynlog.dev/finalizers;",
            "; get, list, watch, create, patch, update, delete, deletecollection"
                + " tracepointassignments.dynlog.dev;",
            "; get, list, watch pods;",
            "; get, create, update, patch leases.coordination.k8s.io in namespace default"
                + " (403 Forbidden; server "
                + url
                + ", credentials from KUBECONFIG="
                + kubeconfig
                + "): grant the operator's service account the RBAC rules of the Helm chart")) {
      assertTrue(line.contains(missing), missing + " in: " + line);
    }
  }

  /** With all the chart's rules but one, exactly that one is named. */
  @Test
  void serviceAccountLackingOnePermission() throws IOException {
    String ns = fx.namespace("startup-almost");
    List<PolicyRule> rules = new ArrayList<>();
    for (PolicyRule rule : ServiceAccounts.chartRules("operator-rules.yaml")) {
      if (rule.getResources().equals(List.of("tracepoints"))) {
        rule =
            new PolicyRuleBuilder(rule)
                .withVerbs(rule.getVerbs().stream().filter(v -> !v.equals("list")).toList())
                .build();
      }
      rules.add(rule);
    }
    String token =
        ServiceAccounts.create(
            server.client(),
            ns,
            "almost",
            rules,
            ServiceAccounts.chartRules("leader-election-rules.yaml"));
    Path kubeconfig = write("almost", server.tokenKubeconfig(token));
    Exit exit = run(Map.of("KUBECONFIG", kubeconfig.toString(), "DYNLOG_LEASE_NAMESPACE", ns));
    assertEquals(
        PREFIX
            + "the API server forbids system:serviceaccount:"
            + ns
            + ":almost to list tracepoints.dynlog.dev (403 Forbidden; server "
            + url
            + ", credentials from KUBECONFIG="
            + kubeconfig
            + "): grant the operator's service account the RBAC rules of the Helm chart"
            + " (charts/dynlog-operator/files/operator-rules.yaml cluster-wide,"
            + " leader-election-rules.yaml in namespace "
            + ns
            + ")",
        onlyLine(exit));
  }

  /** The check asks for exactly what the chart grants: with those rules the operator runs. */
  @Test
  void serviceAccountWithTheChartRulesStarts() throws Exception {
    String ns = fx.namespace("startup-chart");
    String token =
        ServiceAccounts.create(
            server.client(),
            ns,
            "dynlog-operator",
            ServiceAccounts.chartRules("operator-rules.yaml"),
            ServiceAccounts.chartRules("leader-election-rules.yaml"));
    Path kubeconfig = write("chart", server.tokenKubeconfig(token));
    int port = freePort();
    Process process =
        start(
            Map.of(
                "KUBECONFIG",
                kubeconfig.toString(),
                "DYNLOG_LEASE_NAMESPACE",
                ns,
                "DYNLOG_HTTP_PORT",
                String.valueOf(port)),
            dir.resolve("chart.out"),
            dir.resolve("chart.err"));
    try {
      HttpClient http = HttpClient.newHttpClient();
      Await.until(
          "/readyz 200 (stderr: " + dir.resolve("chart.err") + ")",
          Duration.ofSeconds(30),
          () -> readyz(http, port),
          ok -> ok);
      assertTrue(process.isAlive());
      String stderr = Files.readString(dir.resolve("chart.err"));
      assertTrue(
          stderr.contains(
              "accepts system:serviceaccount:"
                  + ns
                  + ":dynlog-operator (credentials from KUBECONFIG="
                  + kubeconfig
                  + ") with every permission the operator needs"),
          stderr);
    } finally {
      process.destroy();
      assertTrue(process.waitFor(20, TimeUnit.SECONDS), "no exit within 20 s of SIGTERM");
    }
  }

  @Test
  void malformedKubeconfig() throws IOException {
    Path kubeconfig = write("malformed", "apiVersion: v1\nclusters: [\n  - foo: : bar\n");
    String line = onlyLine(run(Map.of("KUBECONFIG", kubeconfig.toString())));
    assertTrue(
        line.startsWith(PREFIX + "the kubeconfig " + kubeconfig + " is not valid YAML: "), line);
    assertTrue(line.endsWith(" at line 3, column 3"), line);
  }

  @Test
  void kubeconfigThatIsNoFile() {
    Path missing = dir.resolve("no-such-kubeconfig");
    assertEquals(
        PREFIX
            + "KUBECONFIG="
            + missing
            + " names no existing file: point it at a kubeconfig, or unset it in a pod to use"
            + " the pod's service account",
        onlyLine(run(Map.of("KUBECONFIG", missing.toString()))));
  }

  /**
   * Nothing listens at the URL: the operator keeps trying for DYNLOG_STARTUP_TIMEOUT, then gives
   * up.
   */
  @Test
  void unreachableUrl() throws IOException {
    String nowhere = "https://127.0.0.1:" + freePort();
    Path kubeconfig = write("unreachable", server.tokenKubeconfig(nowhere, "some-token"));
    Exit exit = run(Map.of("KUBECONFIG", kubeconfig.toString(), "DYNLOG_STARTUP_TIMEOUT", "3s"));
    assertEquals(
        PREFIX
            + "cannot reach the API server "
            + nowhere
            + ": connection refused; gave up after 3s (DYNLOG_STARTUP_TIMEOUT; server from"
            + " KUBECONFIG="
            + kubeconfig
            + ")",
        onlyLine(exit));
    assertTrue(exit.took().compareTo(Duration.ofSeconds(3)) >= 0, "gave up early: " + exit.took());
  }

  @Test
  void missingCrds() throws IOException {
    TestApiServer bare = TestApiServer.startWithoutCrds();
    try {
      Path kubeconfig = write("bare", bare.adminKubeconfig());
      String bareUrl = Config.fromKubeconfig(bare.adminKubeconfig()).getMasterUrl();
      bareUrl = bareUrl.endsWith("/") ? bareUrl.substring(0, bareUrl.length() - 1) : bareUrl;
      assertEquals(
          PREFIX
              + "the API server "
              + bareUrl
              + " does not serve tracepoints.dynlog.dev/v1alpha1 and"
              + " tracepointassignments.dynlog.dev/v1alpha1: install dynlog's CRDs first (kubectl"
              + " apply -f crds/; the Helm chart installs them too)",
          onlyLine(run(Map.of("KUBECONFIG", kubeconfig.toString()))));
    } finally {
      bare.stop();
    }
  }

  @Test
  void malformedSettings() throws IOException {
    Path kubeconfig = write("admin", server.adminKubeconfig());
    assertEquals(
        PREFIX + "DYNLOG_HTTP_PORT must be a port number (0 for any, -1 to disable), got 'http'",
        onlyLine(run(Map.of("KUBECONFIG", kubeconfig.toString(), "DYNLOG_HTTP_PORT", "http"))));
    assertEquals(
        PREFIX + "DYNLOG_STARTUP_TIMEOUT must be a duration such as 30s or 2m, got 'soon'",
        onlyLine(
            run(Map.of("KUBECONFIG", kubeconfig.toString(), "DYNLOG_STARTUP_TIMEOUT", "soon"))));
  }

  /** A port in use fails after the API server check passed (its info line comes first). */
  @Test
  void httpPortInUse() throws IOException {
    Path kubeconfig = write("admin-port", server.adminKubeconfig());
    try (ServerSocket taken = new ServerSocket(0)) {
      Exit exit =
          run(
              Map.of(
                  "KUBECONFIG",
                  kubeconfig.toString(),
                  "DYNLOG_HTTP_PORT",
                  String.valueOf(taken.getLocalPort())));
      assertEquals(
          PREFIX + "cannot serve HTTP on port " + taken.getLocalPort() + ": Address already in use",
          errorLine(exit));
    }
  }

  /** DYNLOG_DEBUG=1 adds the stack trace after the line. */
  @Test
  void debugAddsTheStackTrace() throws IOException {
    Path kubeconfig = write("debug", server.tokenKubeconfig("not-a-valid-token"));
    Exit exit = run(Map.of("KUBECONFIG", kubeconfig.toString(), "DYNLOG_DEBUG", "1"));
    assertEquals(1, exit.code());
    assertTrue(
        exit.stderr().get(0).startsWith(PREFIX + "the API server refused the credentials"),
        exit.stderr().get(0));
    assertTrue(exit.stderr().stream().anyMatch(l -> l.startsWith("\tat ")), exit.all());
    assertTrue(
        exit.stderr().stream().anyMatch(l -> l.startsWith("Caused by: ") && l.contains("401")),
        exit.all());
  }

  /** How a run of the jar ended. */
  private record Exit(int code, Duration took, List<String> stderr) {
    String all() {
      return String.join("\n", stderr);
    }
  }

  /** The error of a run whose stderr must be exactly that one line. */
  private static String onlyLine(Exit exit) {
    String line = errorLine(exit);
    assertEquals(List.of(line), exit.stderr(), "stderr must be the one line");
    return line;
  }

  /**
   * The run failed promptly with status 1 and its stderr ends with one error line and holds no
   * stack trace.
   */
  private static String errorLine(Exit exit) {
    assertEquals(1, exit.code(), "exit status; stderr:\n" + exit.all());
    assertTrue(exit.took().compareTo(PROMPTLY) < 0, "took " + exit.took());
    assertFalse(exit.stderr().isEmpty(), "nothing on stderr");
    List<String> errors = exit.stderr().stream().filter(l -> l.startsWith(PREFIX)).toList();
    assertEquals(1, errors.size(), "error lines in:\n" + exit.all());
    assertEquals(errors.get(0), exit.stderr().get(exit.stderr().size() - 1), exit.all());
    assertTrue(
        exit.stderr().stream()
            .noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception") || l.isBlank()),
        "no stack trace:\n" + exit.all());
    return errors.get(0);
  }

  /** Runs the jar until it exits; fails when it still runs after {@link #PROMPTLY} plus 40 s. */
  private static Exit run(Map<String, String> env) {
    String name = "run-" + System.nanoTime();
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    long start = System.nanoTime();
    try {
      Process process = start(env, out, err);
      if (!process.waitFor(PROMPTLY.toSeconds() + 40, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail(
            "the operator still runs after "
                + (PROMPTLY.toSeconds() + 40)
                + " s; stderr:\n"
                + tail(err));
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      List<String> stderr = Files.readAllLines(err);
      System.out.printf(
          "%s: exit %d after %d ms: %s%n",
          env, process.exitValue(), took.toMillis(), String.join(" | ", stderr));
      return new Exit(process.exitValue(), took, stderr);
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static Process start(Map<String, String> env, Path out, Path err) throws IOException {
    Path jar = Path.of(System.getProperty("dynlog.operator.jar", "missing"));
    assertTrue(Files.isRegularFile(jar), "no operator jar at " + jar + " (run mvn verify)");
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            jar.toString());
    pb.environment().keySet().removeIf(k -> k.startsWith("DYNLOG_") || k.startsWith("KUBE"));
    Map<String, String> all = new HashMap<>();
    all.put("DYNLOG_HTTP_PORT", "0");
    all.put("DYNLOG_QUERY_PORT", "-1"); // startup alone; the query server has its own tests
    all.put("DYNLOG_LEASE_NAMESPACE", "default");
    all.put("POD_NAME", "startup-it");
    all.putAll(env);
    pb.environment().putAll(all);
    return pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
  }

  private static String tail(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  private static Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name + ".kubeconfig");
    Files.writeString(file, content);
    return file;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean readyz(HttpClient http, int port) {
    try {
      return http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
