package dev.dynlog.operator.query;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Makes RSA key pairs and X.509 v3 certificates (SHA-256 with RSA): the self-signed serving
 * certificate of the query server when no PEM files are given, and test CAs and client
 * certificates. Reads PEM certificates. The JDK can verify certificates but has no API to make
 * them, hence the small DER encoder {@link Der}.
 */
public final class Certificates {

  private static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
  private static final String COMMON_NAME = "2.5.4.3";
  private static final String SUBJECT_ALT_NAME = "2.5.29.17";
  private static final String BASIC_CONSTRAINTS = "2.5.29.19";
  private static final DateTimeFormatter UTC_TIME =
      DateTimeFormatter.ofPattern("yyMMddHHmmss").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern IPV4 =
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
   * @param dnsNames subjectAltName DNS names or IPv4 addresses, may be empty
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
    List<byte[]> extensions = new ArrayList<>();
    extensions.add(
        Der.sequence(
            Der.oid(BASIC_CONSTRAINTS),
            Der.bool(true),
            Der.octetString(ca ? Der.sequence(Der.bool(true)) : Der.sequence())));
    if (!dnsNames.isEmpty()) {
      ByteArrayOutputStream names = new ByteArrayOutputStream();
      for (String dns : dnsNames) {
        if (IPV4.matcher(dns).matches()) {
          byte[] ip = new byte[4];
          String[] octets = dns.split("\\.");
          for (int i = 0; i < 4; i++) ip[i] = (byte) Integer.parseInt(octets[i]);
          names.writeBytes(Der.tlv(0x87, ip));
        } else {
          names.writeBytes(Der.tlv(0x82, dns.getBytes(StandardCharsets.US_ASCII)));
        }
      }
      extensions.add(
          Der.sequence(
              Der.oid(SUBJECT_ALT_NAME), Der.octetString(Der.sequence(names.toByteArray()))));
    }
    byte[] algorithm = Der.sequence(Der.oid(SHA256_WITH_RSA), Der.nullValue());
    byte[] tbs =
        Der.sequence(
            Der.tlv(0xa0, Der.integer(BigInteger.TWO)),
            Der.integer(new BigInteger(63, RANDOM).add(BigInteger.ONE)),
            algorithm,
            name(issuerCn),
            Der.sequence(
                Der.utcTime(UTC_TIME.format(now.minus(Duration.ofHours(1)))),
                Der.utcTime(UTC_TIME.format(now.plus(validity)))),
            name(subjectCn),
            subjectKey.getEncoded(),
            Der.tlv(0xa3, Der.sequence(extensions.toArray(byte[][]::new))));
    try {
      Signature signer = Signature.getInstance("SHA256withRSA");
      signer.initSign(issuerKey);
      signer.update(tbs);
      byte[] der = Der.sequence(tbs, algorithm, Der.bitString(signer.sign()));
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException e) {
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

  private static byte[] name(String cn) {
    return Der.sequence(Der.tlv(Der.SET, Der.sequence(Der.oid(COMMON_NAME), Der.utf8(cn))));
  }
}
