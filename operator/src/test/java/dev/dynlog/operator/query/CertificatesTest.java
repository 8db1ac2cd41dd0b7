package dev.dynlog.operator.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificatesTest {

  @Test
  void issuedCertificatesVerifyAndCarryTheirNames() throws Exception {
    KeyPair ca = Certificates.rsaKeyPair();
    X509Certificate caCert = Certificates.selfSigned("test-ca", ca, List.of());
    caCert.verify(ca.getPublic());
    assertTrue(caCert.getBasicConstraints() >= 0, "a CA");
    KeyPair leaf = Certificates.rsaKeyPair();
    X509Certificate cert =
        Certificates.issue(
            "dynlog-operator",
            leaf.getPublic(),
            "test-ca",
            ca.getPrivate(),
            false,
            List.of("localhost", "127.0.0.1"),
            Duration.ofDays(1));
    cert.verify(ca.getPublic());
    cert.checkValidity();
    assertEquals(-1, cert.getBasicConstraints(), "not a CA");
    assertEquals("CN=dynlog-operator", cert.getSubjectX500Principal().getName());
    assertEquals("CN=test-ca", cert.getIssuerX500Principal().getName());
    assertEquals(
        "[[2, localhost], [7, 127.0.0.1]]", String.valueOf(cert.getSubjectAlternativeNames()));
  }

  @Test
  void pemFilesRoundTripAndAWrongKeyIsNamed(@TempDir Path dir) throws Exception {
    TlsIdentity generated = TlsIdentity.generate();
    assertTrue(generated.selfSigned());
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    Files.writeString(cert, Certificates.pem(generated.chain().get(0)));
    Files.writeString(key, Certificates.pem(generated.key()));
    TlsIdentity read = TlsIdentity.fromPem(cert, key);
    assertFalse(read.selfSigned());
    assertEquals(generated.chain(), read.chain());
    assertEquals(generated.key(), read.key());
    read.sslContext();

    Files.writeString(
        key, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    assertEquals(
        key
            + " holds no PKCS #8 key (-----BEGIN PRIVATE KEY-----); convert it with openssl pkcs8"
            + " -topk8 -nocrypt -in KEY -out KEY.pk8",
        assertThrows(IllegalArgumentException.class, () -> TlsIdentity.fromPem(cert, key))
            .getMessage());
    Files.writeString(cert, "not a certificate");
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> TlsIdentity.fromPem(cert, key))
            .getMessage()
            .startsWith(cert.toString()));
  }
}
