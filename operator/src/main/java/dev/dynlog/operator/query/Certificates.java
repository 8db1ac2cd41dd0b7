package dev.dynlog.operator.query;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes RSA key pairs and X.509 v3 certificates (SHA-256 with RSA): the self-signed serving
 * certificate of the query server when no PEM files are given, and test CAs and client
 * certificates, with Bouncy Castle's certificate builder (the JDK can verify certificates but has
 * no API to make them). Reads PEM certificates.
 */
public final class Certificates {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern IP_ADDRESS =
      Pattern.compile(
          "(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}");

  private Certificates() {}

  /** A new 2048-bit RSA key pair. */
  public static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA key generation is always available", e);
    }
  }

  /**
   * A certificate for {@code subjectKey} with common name {@code subjectCn}, issued (signed) by
   * {@code issuerKey} in the name {@code issuerCn}, valid from an hour ago for {@code validity}.
   *
   * @param ca whether it may sign other certificates (basicConstraints CA:true)
   * @param dnsNames subjectAltName DNS names or IP addresses, may be empty
   */
  public static X509Certificate issue(
      String subjectCn,
      PublicKey subjectKey,
      String issuerCn,
      PrivateKey issuerKey,
      boolean ca,
      List<String> dnsNames,
      Duration validity) {
    Instant now = Instant.now();
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              new X500Name("CN=" + issuerCn),
              new BigInteger(63, RANDOM).add(BigInteger.ONE),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(validity)),
              new X500Name("CN=" + subjectCn),
              subjectKey);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (!dnsNames.isEmpty()) {
        GeneralName[] names = new GeneralName[dnsNames.size()];
        for (int i = 0; i < names.length; i++) {
          String n = dnsNames.get(i);
          names[i] =
              new GeneralName(
                  IP_ADDRESS.matcher(n).matches() ? GeneralName.iPAddress : GeneralName.dNSName, n);
        }
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (OperatorCreationException | CertIOException | CertificateException e) {
      throw new IllegalStateException("cannot sign a certificate for " + subjectCn, e);
    }
  }

  /** A self-signed certificate for {@code keys}, valid for a year. */
  public static X509Certificate selfSigned(String cn, KeyPair keys, List<String> dnsNames) {
    return issue(cn, keys.getPublic(), cn, keys.getPrivate(), true, dnsNames, Duration.ofDays(365));
  }

  /**
   * The certificates of a PEM text, in order.
   *
   * @throws IllegalArgumentException when it holds none or one is malformed, naming {@code what}
   */
  public static List<X509Certificate> parsePem(byte[] pem, String what) {
    try (InputStream in = new ByteArrayInputStream(pem)) {
      List<X509Certificate> out = new ArrayList<>();
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException(what + " holds no PEM certificate");
      }
      return out;
    } catch (CertificateException | IOException e) {
      throw new IllegalArgumentException(
          what + " is not a PEM certificate bundle: " + e.getMessage(), e);
    }
  }

  /** PEM text of a certificate. */
  public static String pem(X509Certificate certificate) {
    try {
      return pem("CERTIFICATE", certificate.getEncoded());
    } catch (CertificateException e) {
      throw new IllegalStateException(e);
    }
  }

  /** PEM text ({@code PRIVATE KEY}, PKCS #8) of a private key. */
  public static String pem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
