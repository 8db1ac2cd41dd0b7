package dev.dynlog.operator.query;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The query server's serving certificate chain and key: from PEM files ({@code
 * DYNLOG_QUERY_TLS_CERT}, {@code DYNLOG_QUERY_TLS_KEY}) or self-signed at start.
 *
 * @param chain the server certificate first
 * @param key its private key
 * @param selfSigned whether it was generated here (the APIService then needs insecureSkipTLSVerify)
 */
public record TlsIdentity(List<X509Certificate> chain, PrivateKey key, boolean selfSigned) {

  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  public TlsIdentity {
    chain = List.copyOf(chain);
  }

  /** A new self-signed identity (generated now) for the operator's Service names. */
  public static TlsIdentity generate() {
    KeyPair keys = Certificates.rsaKeyPair();
    X509Certificate cert =
        Certificates.selfSigned(
            "dynlog-operator", keys, List.of("localhost", "127.0.0.1", "dynlog-operator"));
    return new TlsIdentity(List.of(cert), keys.getPrivate(), true);
  }

  /**
   * Reads a PEM certificate chain and a PEM private key (PKCS #8, {@code BEGIN PRIVATE KEY}; RSA or
   * EC).
   *
   * @throws IllegalArgumentException naming the file and what is wrong
   */
  public static TlsIdentity fromPem(Path certFile, Path keyFile) {
    try {
      List<X509Certificate> chain =
          Certificates.parsePem(Files.readAllBytes(certFile), certFile.toString());
      String keyText = Files.readString(keyFile, StandardCharsets.US_ASCII);
      Matcher m = PKCS8.matcher(keyText);
      if (!m.find()) {
        throw new IllegalArgumentException(
            keyFile
                + " holds no PKCS #8 key (-----BEGIN PRIVATE KEY-----); convert it with "
                + "openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
      }
      byte[] der = Base64.getMimeDecoder().decode(m.group(1));
      String algorithm = chain.get(0).getPublicKey().getAlgorithm();
      PrivateKey key =
          KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      return new TlsIdentity(chain, key, false);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          keyFile + " is not a key for the certificate of " + certFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * An SSL context serving this identity. It accepts any client certificate in the handshake (the
   * server only wants one): which clients are trusted is decided per request against the
   * request-header CA ({@link FrontProxyAuthenticator}), which can change while the server runs.
   */
  public SSLContext sslContext() {
    try {
      char[] password = new char[0];
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("server", key, password, chain.toArray(X509Certificate[]::new));
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), new TrustManager[] {new AnyClient()}, new SecureRandom());
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot make the query server's TLS context", e);
    }
  }

  /** Accepts the client's certificate in the handshake; checked later, per request. */
  private static final class AnyClient implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException("a server-side trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
