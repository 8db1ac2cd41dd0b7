package dev.dynlog.operator.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestHeaderConfigTest {

  private static final KeyPair CA_KEYS = Certificates.rsaKeyPair();
  private static final X509Certificate CA =
      Certificates.selfSigned("front-proxy-ca", CA_KEYS, List.of());
  private static final KeyPair PROXY_KEYS = Certificates.rsaKeyPair();

  private static X509Certificate[] proxy(String cn) {
    return new X509Certificate[] {
      Certificates.issue(
          cn,
          PROXY_KEYS.getPublic(),
          "front-proxy-ca",
          CA_KEYS.getPrivate(),
          false,
          List.of(),
          Duration.ofHours(1))
    };
  }

  private static RequestHeaderConfig config(String allowedNames) {
    return RequestHeaderConfig.parse(
        Map.of(
            RequestHeaderConfig.CLIENT_CA, Certificates.pem(CA),
            RequestHeaderConfig.ALLOWED_NAMES, allowedNames,
            RequestHeaderConfig.USERNAME_HEADERS, "[\"X-Remote-User\",\"X-Other-User\"]",
            RequestHeaderConfig.GROUP_HEADERS, "[\"X-Remote-Group\"]",
            RequestHeaderConfig.EXTRA_PREFIXES, "[\"X-Remote-Extra-\"]"),
        "ConfigMap kube-system/extension-apiserver-authentication");
  }

  @Test
  void userGroupsAndExtraFromTheHeaders() {
    Caller caller =
        config("[\"front-proxy-client\"]")
            .authenticate(
                proxy("front-proxy-client"),
                Map.of(
                    "x-other-user", List.of("ignored"),
                    "X-Remote-User", List.of("alice"),
                    "X-Remote-Group", List.of("dev", "system:authenticated"),
                    "X-Remote-Extra-Authentication.kubernetes.io%2fcredential-id",
                        List.of("X509SHA256=ab"),
                    "Accept", List.of("application/json")));
    assertEquals(
        new Caller(
            "alice",
            List.of("dev", "system:authenticated"),
            Map.of("authentication.kubernetes.io/credential-id", List.of("X509SHA256=ab"))),
        caller);
  }

  @Test
  void emptyAllowedNamesAcceptsAnyNameFromTheCa() {
    assertEquals(
        "bob",
        config("[]")
            .authenticate(proxy("anything"), Map.of("X-Other-User", List.of("bob")))
            .user());
  }

  @Test
  void refusalsSayWhy() {
    RequestHeaderConfig config = config("[\"front-proxy-client\"]");
    Map<String, List<String>> alice = Map.of("X-Remote-User", List.of("alice"));
    assertEquals(
        "client certificate CN 'someone' is not among requestheader-allowed-names"
            + " [front-proxy-client]",
        assertThrows(
                NotAuthenticatedException.class, () -> config.authenticate(proxy("someone"), alice))
            .getMessage());
    assertEquals(
        "the proxy sent no user name in [X-Remote-User, X-Other-User]",
        assertThrows(
                NotAuthenticatedException.class,
                () -> config.authenticate(proxy("front-proxy-client"), Map.of()))
            .getMessage());
    KeyPair other = Certificates.rsaKeyPair();
    X509Certificate forged = Certificates.selfSigned("front-proxy-client", other, List.of());
    String message =
        assertThrows(
                NotAuthenticatedException.class,
                () -> config.authenticate(new X509Certificate[] {forged}, alice))
            .getMessage();
    assertEquals(
        "client certificate 'CN=front-proxy-client' is not signed by the"
            + " requestheader-client-ca-file",
        message.substring(0, message.indexOf(": ")));
  }

  @Test
  void malformedConfigMapIsNamed() {
    assertEquals(
        "ConfigMap x/y has no requestheader-client-ca-file: the kube-apiserver runs without"
            + " --requestheader-client-ca-file, so the aggregation layer is not configured",
        assertThrows(
                IllegalArgumentException.class,
                () -> RequestHeaderConfig.parse(Map.of(), "ConfigMap x/y"))
            .getMessage());
    assertEquals(
        "ConfigMap x/y requestheader-group-headers is not a JSON array of strings: 'X-Group'",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    RequestHeaderConfig.parse(
                        Map.of(
                            RequestHeaderConfig.CLIENT_CA,
                            Certificates.pem(CA),
                            RequestHeaderConfig.GROUP_HEADERS,
                            "X-Group"),
                        "ConfigMap x/y"))
            .getMessage());
  }
}
