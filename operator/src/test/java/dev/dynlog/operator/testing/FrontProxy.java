package dev.dynlog.operator.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The aggregation layer's credentials of the test API server, as a cluster's installer makes them:
 * a request-header CA and the front-proxy client certificate it signed, with which the API server
 * proxies requests to aggregated APIs and names the user in {@code X-Remote-*} headers. Made with
 * the openssl command (no Java certificate code of our own).
 */
public final class FrontProxy {

  /** The CN of the front-proxy client certificate, the only allowed request-header name. */
  public static final String CLIENT_NAME = "front-proxy-client";

  private final Path dir;

  private FrontProxy(Path dir) {
    this.dir = dir;
  }

  /** Creates the CA and the client certificate in {@code dir}. */
  static FrontProxy create(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
    openssl(
        dir,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "3",
        "-subj",
        "/CN=dynlog-test-front-proxy-ca");
    openssl(
        dir,
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "client.key",
        "-out",
        "client.csr",
        "-subj",
        "/CN=" + CLIENT_NAME);
    openssl(
        dir,
        "x509",
        "-req",
        "-in",
        "client.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "client.crt",
        "-days",
        "3",
        "-extfile",
        "client.ext");
    return new FrontProxy(dir);
  }

  /** The kube-apiserver flags of the aggregation layer, with these credentials. */
  List<String> apiServerFlags() {
    List<String> flags = new ArrayList<>();
    flags.add("--requestheader-client-ca-file=" + dir.resolve("ca.crt"));
    flags.add("--requestheader-allowed-names=" + CLIENT_NAME);
    flags.add("--requestheader-username-headers=X-Remote-User");
    flags.add("--requestheader-group-headers=X-Remote-Group");
    flags.add("--requestheader-extra-headers-prefix=X-Remote-Extra-");
    flags.add("--proxy-client-cert-file=" + dir.resolve("client.crt"));
    flags.add("--proxy-client-key-file=" + dir.resolve("client.key"));
    return flags;
  }

  /** The request-header CA certificate (PEM). */
  public Path caCertificate() {
    return dir.resolve("ca.crt");
  }

  /** The front-proxy client certificate (PEM), e.g. to pose as the API server in a test. */
  public Path clientCertificate() {
    return dir.resolve("client.crt");
  }

  /** The front-proxy client key (PEM). */
  public Path clientKey() {
    return dir.resolve("client.key");
  }

  private static void openssl(Path dir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", cmd), e);
    }
  }
}
