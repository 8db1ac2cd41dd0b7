package dev.dynlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.dynlog.trace.RowJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code dynlog events -n NS NAME} without {@code --agent}, against a local HTTPS server standing
 * for the API server (its own self-signed certificate in the kubeconfig): the aggregated path and
 * parameters, the kubeconfig's credentials (a token, a client certificate, an exec plugin) picked
 * by {@code --context}, rows printed as with an agent, warnings (headers and lines) on stderr, a
 * follow printed line by line while it streams, and the API server's Status messages on one line
 * with exit status 1.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EventsThroughApiServerTest {

  private static final String PASSWORD = "changeit";
  private static final String EVENTS =
      "/apis/query.dynlog.dev/v1alpha1/namespaces/shop/tracepoints/login/events";

  private static HttpsServer server;
  private static Path kubeconfig;
  private static final List<String> requests = new CopyOnWriteArrayList<>();
  private static final CountDownLatch firstRowPrinted = new CountDownLatch(1);
  private static final AtomicBoolean streamed = new AtomicBoolean();

  record Result(int exit, String out, String err) {}

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("dynlog-events-apiserver");
    Path keystore = dir.resolve("server.p12");
    Path cert = dir.resolve("server.pem");
    keytool(
        "-genkeypair",
        "-alias",
        "api",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=ip:127.0.0.1",
        "-keystore",
        keystore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "api",
        "-keystore",
        keystore.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        cert.toString());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD.toCharArray());
    // A client certificate for alice (CN=alice), trusted by the server as kind's CA would be.
    Path clientStore = dir.resolve("client.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "alice",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-dname",
        "CN=alice",
        "-keystore",
        clientStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    KeyStore client = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(clientStore)) {
      client.load(in, PASSWORD.toCharArray());
    }
    Certificate aliceCert = client.getCertificate("alice");
    Key aliceKey = client.getKey("alice", PASSWORD.toCharArray());
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("alice", aliceCert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.setHttpsConfigurator(
        new HttpsConfigurator(tls) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters p = tls.getDefaultSSLParameters();
            p.setWantClientAuth(true);
            params.setSSLParameters(p);
          }
        });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/", EventsThroughApiServerTest::answer);
    server.start();

    String ca = Base64.getEncoder().encodeToString(Files.readAllBytes(cert));
    kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: test",
            "  cluster:",
            "    server: https://127.0.0.1:" + server.getAddress().getPort(),
            "    certificate-authority-data: " + ca,
            "users:",
            "- name: alice",
            "  user:",
            "    token: alice-token",
            "- name: bob",
            "  user:",
            "    token: bob-token",
            "- name: alice-cert",
            "  user:",
            "    client-certificate-data: " + pem("CERTIFICATE", aliceCert.getEncoded()),
            "    client-key-data: " + pem("PRIVATE KEY", aliceKey.getEncoded()),
            "- name: alice-exec",
            "  user:",
            "    exec:",
            "      apiVersion: client.authentication.k8s.io/v1",
            "      command: /bin/sh",
            "      interactiveMode: Never",
            "      args:",
            "      - -c",
            "      - echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                + "\"ExecCredential\",\"status\":{\"token\":\"alice-token\"}}'",
            "contexts:",
            "- name: test",
            "  context:",
            "    cluster: test",
            "    user: alice",
            "- name: as-bob",
            "  context:",
            "    cluster: test",
            "    user: bob",
            "- name: by-cert",
            "  context:",
            "    cluster: test",
            "    user: alice-cert",
            "- name: by-exec",
            "  context:",
            "    cluster: test",
            "    user: alice-exec",
            "current-context: test",
            ""));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.stop(0);
  }

  /** DER bytes as base64 of a PEM block, as a kubeconfig's *-data fields hold them. */
  private static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    String text = "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static void keytool(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) throw new IllegalStateException("keytool failed: " + out);
  }

  private static String row(int i, String pod) {
    return RowJson.toJson(EventsNamespacedTest.row(i, pod));
  }

  private static void send(HttpExchange x, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String status(int code, String reason, String message) {
    return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
        + "\"message\":\""
        + message.replace("\"", "\\\"")
        + "\",\"reason\":\""
        + reason
        + "\",\"code\":"
        + code
        + "}\n";
  }

  /** The subject of the client's certificate, or "" without one. */
  private static String clientCn(HttpExchange x) {
    try {
      Certificate[] chain = ((HttpsExchange) x).getSSLSession().getPeerCertificates();
      return ((X509Certificate) chain[0]).getSubjectX500Principal().getName();
    } catch (SSLPeerUnverifiedException e) {
      return "";
    }
  }

  /** The stand-in API server: alice may read shop, nobody may read secret, bob is unknown. */
  private static void answer(HttpExchange x) throws IOException {
    String uri = x.getRequestURI().getRawPath() + "?" + x.getRequestURI().getRawQuery();
    String auth = x.getRequestHeaders().getFirst("Authorization");
    requests.add(uri + " " + auth);
    if (auth == null && clientCn(x).equals("CN=alice")) auth = "Bearer alice-token";
    if (!"Bearer alice-token".equals(auth)) {
      send(x, 401, status(401, "Unauthorized", "Unauthorized"));
      return;
    }
    if (x.getRequestURI().getRawPath().contains("/namespaces/busy/")) {
      send(
          x,
          503,
          status(
              503, "ServiceUnavailable", "the server is currently unable to handle the request"));
      return;
    }
    if (x.getRequestURI().getRawPath().contains("/namespaces/secret/")) {
      send(
          x,
          403,
          status(
              403,
              "Forbidden",
              "tracepoints.query.dynlog.dev \"login\" is forbidden: User \"alice\" cannot get"
                  + " resource \"tracepoints/events\" in API group \"query.dynlog.dev\" in the"
                  + " namespace \"secret\""));
      return;
    }
    if (!x.getRequestURI().getRawPath().equals(EVENTS)) {
      send(x, 404, status(404, "NotFound", "the server could not find the requested resource"));
      return;
    }
    x.getResponseHeaders().set("Content-Type", "application/x-ndjson");
    if (x.getRequestURI().getRawQuery().contains("follow=true")) {
      x.sendResponseHeaders(200, 0);
      try (OutputStream out = x.getResponseBody()) {
        out.write((row(0, "web-1") + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        streamed.set(firstRowPrinted.await(30, TimeUnit.SECONDS));
        out.write(
            ("{\"warning\":\"agent on node-b stopped answering; reconnecting\"}\n"
                    + row(1, "web-2")
                    + "\n")
                .getBytes(StandardCharsets.UTF_8));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    x.getResponseHeaders()
        .add("Warning", "299 - \"node node-c did not answer within 5s; its rows are missing\"");
    send(
        x,
        200,
        row(3, "web-2")
            + "\n"
            + "{\"warning\":\"node node-d has no agent address\"}\n"
            + row(2, "web-1")
            + "\n");
  }

  private static synchronized Result run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int exit = Main.run(args);
      return new Result(
          exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void rowsFromTheAggregatedPathWithTheKubeconfigsToken() {
    requests.clear();
    Result r =
        run(
            "events",
            "-n",
            "shop",
            "login",
            "--kubeconfig",
            kubeconfig.toString(),
            "--where",
            "pod=web-1",
            "--since",
            "5m",
            "--limit",
            "10",
            "--output",
            "jsonl");
    assertEquals(0, r.exit(), r.err());
    assertEquals(1, requests.size(), requests.toString());
    String request = requests.get(0);
    assertTrue(
        request.startsWith(
            EVENTS + "?order=newest&where=pod%3Dweb-1&since=5m&limit=10&format=jsonl "),
        request);
    assertTrue(request.endsWith(" Bearer alice-token"), request);
    // oldest first, as from an agent
    assertEquals(row(2, "web-1") + "\n" + row(3, "web-2") + "\n", r.out());
    assertEquals(
        "dynlog events: warning: node node-c did not answer within 5s; its rows are missing\n"
            + "dynlog events: warning: node node-d has no agent address\n",
        r.err());
  }

  @Test
  void theTableIsTheAgentsTable() {
    Result r = run("events", "shop/login", "--kubeconfig", kubeconfig.toString());
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().split("\n");
    assertEquals(3, lines.length, r.out());
    assertTrue(lines[0].startsWith("TIME            POD "), lines[0]);
    assertEquals(
        new RowTable(null, false, false, true).format(EventsNamespacedTest.row(2, "web-1")),
        lines[1]);
  }

  @Test
  void followPrintsEachRowAsItArrives() throws Exception {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int exit;
    synchronized (EventsThroughApiServerTest.class) {
      try {
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        Thread watcher =
            new Thread(
                () -> {
                  long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                  while (System.nanoTime() < deadline) {
                    if (o.toString(StandardCharsets.UTF_8).contains("\"pod\":\"web-1\"")) {
                      firstRowPrinted.countDown();
                      return;
                    }
                    try {
                      Thread.sleep(20);
                    } catch (InterruptedException ie) {
                      return;
                    }
                  }
                });
        watcher.start();
        exit =
            Main.run(
                "events",
                "-n",
                "shop",
                "login",
                "-f",
                "--output",
                "jsonl",
                "--kubeconfig",
                kubeconfig.toString());
        watcher.join();
      } finally {
        System.setOut(out);
        System.setErr(err);
      }
    }
    assertEquals(0, exit, e.toString(StandardCharsets.UTF_8));
    assertEquals(
        0, firstRowPrinted.getCount(), "the first row was printed before the stream ended");
    assertEquals(
        row(0, "web-1") + "\n" + row(1, "web-2") + "\n", o.toString(StandardCharsets.UTF_8));
    assertEquals(
        "dynlog events: warning: agent on node-b stopped answering; reconnecting\n",
        e.toString(StandardCharsets.UTF_8));
    assertTrue(requests.stream().anyMatch(q -> q.contains("follow=true")), requests.toString());
  }

  @Test
  void forbiddenIsTheApiServersMessageOnOneLine() {
    Result r = run("events", "-n", "secret", "login", "--kubeconfig", kubeconfig.toString());
    assertEquals(1, r.exit(), r.err());
    assertEquals(
        "dynlog events: tracepoints.query.dynlog.dev \"login\" is forbidden: User \"alice\" cannot"
            + " get resource \"tracepoints/events\" in API group \"query.dynlog.dev\" in the"
            + " namespace \"secret\"\n",
        r.err());
    assertEquals("", r.out());
  }

  @Test
  void aClientCertificateAuthenticates() {
    requests.clear();
    Result r =
        run(
            "events",
            "-n",
            "shop",
            "login",
            "--kubeconfig",
            kubeconfig.toString(),
            "--context",
            "by-cert",
            "--output",
            "jsonl");
    assertEquals(0, r.exit(), r.err());
    assertEquals(row(2, "web-1") + "\n" + row(3, "web-2") + "\n", r.out());
    assertTrue(requests.get(0).endsWith(" null"), "no token, the certificate: " + requests);
  }

  @Test
  void anExecPluginsTokenIsUsed() {
    requests.clear();
    Result r =
        run(
            "events",
            "-n",
            "shop",
            "login",
            "--kubeconfig",
            kubeconfig.toString(),
            "--context",
            "by-exec",
            "--output",
            "jsonl");
    assertEquals(0, r.exit(), r.err());
    assertEquals(row(2, "web-1") + "\n" + row(3, "web-2") + "\n", r.out());
    assertTrue(requests.get(0).endsWith(" Bearer alice-token"), requests.toString());
  }

  @Test
  void theContextPicksTheCredentials() {
    Result r =
        run(
            "events",
            "-n",
            "shop",
            "login",
            "--kubeconfig",
            kubeconfig.toString(),
            "--context",
            "as-bob");
    assertEquals(1, r.exit(), r.err());
    assertEquals("dynlog events: Unauthorized\n", r.err());
    Result none =
        run(
            "events",
            "-n",
            "shop",
            "login",
            "--kubeconfig",
            kubeconfig.toString(),
            "--context",
            "nope");
    assertEquals(1, none.exit(), none.err());
    assertTrue(
        none.err().startsWith("dynlog events: --context 'nope' is not in the kubeconfig"),
        none.err());
  }

  @Test
  void anUnreachableOrUnavailableApiServerIsOneLineAtOnce() throws Exception {
    Path closed = Files.createTempFile("dynlog-kubeconfig", "");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Files.writeString(
        closed,
        Files.readString(kubeconfig)
            .replace(
                "https://127.0.0.1:" + server.getAddress().getPort(), "https://127.0.0.1:" + port));
    long start = System.nanoTime();
    Result r = run("events", "-n", "shop", "login", "--kubeconfig", closed.toString());
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(1, r.exit(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(
        r.err()
            .startsWith("dynlog events: cannot reach the API server at https://127.0.0.1:" + port),
        r.err());
    assertTrue(ms < 5_000, "said within 5 s, not after retries: " + ms + " ms");

    start = System.nanoTime();
    Result busy = run("events", "-n", "busy", "login", "--kubeconfig", kubeconfig.toString());
    ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(1, busy.exit(), busy.err());
    assertEquals(
        "dynlog events: the server is currently unable to handle the request\n", busy.err());
    assertTrue(ms < 5_000, "said within 5 s, not after retries: " + ms + " ms");
  }

  @Test
  void mistakesBeforeAnythingIsAsked() {
    requests.clear();
    Result standalone = run("events", "main.Sum", "--kubeconfig", kubeconfig.toString());
    assertEquals(1, standalone.exit());
    assertTrue(
        standalone.err().contains("name a Tracepoint as -n NAMESPACE NAME"), standalone.err());
    Result where =
        run(
            "events",
            "-n",
            "shop",
            "login",
            "--kubeconfig",
            kubeconfig.toString(),
            "--where",
            "n>>1");
    assertEquals(1, where.exit());
    assertTrue(where.err().startsWith("dynlog events: --where 'n>>1'"), where.err());
    Result noFile = run("events", "-n", "shop", "login", "--kubeconfig", "/no/such/kubeconfig");
    assertEquals("dynlog events: --kubeconfig /no/such/kubeconfig is not a file\n", noFile.err());
    assertTrue(requests.isEmpty(), requests.toString());
    assertFalse(standalone.err().contains("\tat "), standalone.err());
  }
}
