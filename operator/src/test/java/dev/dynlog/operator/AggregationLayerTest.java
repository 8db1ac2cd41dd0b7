package dev.dynlog.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.dynlog.operator.testing.ApiServerTest;
import dev.dynlog.operator.testing.TestApiServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The test API server's aggregation layer works as a cluster's does: an APIService routed to a
 * server on this machine receives the proxied request with the caller's identity in the request
 * headers, over TLS from the front-proxy client certificate. (The query API's own tests build on
 * this.)
 */
@Tag("apiserver")
@ApiServerTest
class AggregationLayerTest {

  @Test
  void anAggregatedApiGetsTheCallersIdentityFromTheFrontProxy() throws Exception {
    TestApiServer api = TestApiServer.get();
    Path dir = Files.createTempDirectory("aggregated");
    run(
        dir,
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "tls.key",
        "-out",
        "tls.crt",
        "-days",
        "1",
        "-subj",
        "/CN=localhost");
    run(
        dir,
        "openssl",
        "pkcs12",
        "-export",
        "-in",
        "tls.crt",
        "-inkey",
        "tls.key",
        "-out",
        "tls.p12",
        "-passout",
        "pass:test");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(dir.resolve("tls.p12").toFile())) {
      ks.load(in, "test".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "test".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext(
        "/",
        ex -> {
          String path = ex.getRequestURI().getPath();
          String body =
              path.equals("/apis/probe.dynlog.dev/v1")
                  ? "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\","
                      + "\"groupVersion\":\"probe.dynlog.dev/v1\",\"resources\":[]}"
                  : "user=" + ex.getRequestHeaders().getFirst("X-Remote-User") + " path=" + path;
          byte[] b = body.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(200, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    server.start();
    try {
      api.registerAggregatedApi("probe.dynlog.dev", "v1", server.getAddress().getPort());
      String answer =
          api.kubectl("get", "--raw", "/apis/probe.dynlog.dev/v1/namespaces/a/things/b");
      assertTrue(answer.startsWith("user="), answer);
      assertEquals(
          "path=/apis/probe.dynlog.dev/v1/namespaces/a/things/b",
          answer.substring(answer.indexOf(' ') + 1).strip());
      assertTrue(!answer.startsWith("user=null"), "the API server names the caller: " + answer);
    } finally {
      api.kubectl("delete", "apiservice", "v1.probe.dynlog.dev", "--ignore-not-found");
      server.stop(0);
    }
  }

  private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
