package dev.dynlog.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.Fixtures;
import dev.dynlog.operator.testing.TestApiServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Deployment's entry point: {@code java -jar dynlog-operator.jar} (the shaded jar from the
 * package phase; run by failsafe in {@code mvn verify}) reconciles on a real API server, serves
 * /readyz and /metrics, and stops cleanly on SIGTERM.
 */
@Tag("apiserver")
class OperatorJarIT {

  @Test
  void shadedJarRunsReconcilesServesAndStops() throws Exception {
    Path jar = Path.of(System.getProperty("dynlog.operator.jar", "missing"));
    assertTrue(Files.isRegularFile(jar), "no operator jar at " + jar + " (run mvn verify)");
    TestApiServer server = TestApiServer.get();
    Path kubeconfig = Files.createTempFile("dynlog-operator", ".kubeconfig");
    Files.writeString(kubeconfig, server.kubectl("config", "view", "--raw"));
    Path log = Files.createTempFile("dynlog-operator", ".log");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            jar.toString());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().put("DYNLOG_HTTP_PORT", String.valueOf(port));
    pb.environment().put("DYNLOG_QUERY_PORT", "-1");
    pb.environment().put("DYNLOG_LEASE_NAMESPACE", "default");
    pb.environment().put("POD_NAME", "jar-it");
    Process process = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Fixtures fx = new Fixtures(server.client());
      String ns = fx.namespace("jar");
      fx.create(Fixtures.tracepoint(ns, "from-jar", "nothing-selected"));
      fx.awaitPhase(ns, "from-jar", Phase.NoTargets);
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + port;
      HttpResponse<String> ready =
          Await.until(
              "/readyz 200",
              Duration.ofSeconds(20),
              () -> get(http, base + "/readyz"),
              r -> r != null && r.statusCode() == 200);
      assertEquals("ok\n", ready.body());
      assertTrue(
          get(http, base + "/metrics")
              .body()
              .lines()
              .anyMatch(l -> l.equals("dynlog_operator_tracepoints{phase=\"NoTargets\"} 1.0")));
    } finally {
      process.destroy();
      boolean exited = process.waitFor(20, TimeUnit.SECONDS);
      process.destroyForcibly();
      assertTrue(
          exited, "operator did not stop within 20 s of SIGTERM; log: " + Files.readString(log));
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
