package dev.dynlog.operator.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javax.security.auth.x500.X500Principal;

/**
 * How the front proxy (the kube-apiserver's aggregation layer) identifies itself and its users: the
 * request-header keys of the ConfigMap {@code kube-system/extension-apiserver-authentication}.
 *
 * @param clientCa the CAs a proxy's client certificate must chain to
 * @param allowedNames common names a proxy certificate may have; empty means any
 * @param usernameHeaders headers carrying the user name, the first present wins
 * @param groupHeaders headers carrying groups (each value one group)
 * @param extraPrefixes header prefixes carrying extra attributes ({@code <prefix><key>})
 */
public record RequestHeaderConfig(
    List<X509Certificate> clientCa,
    List<String> allowedNames,
    List<String> usernameHeaders,
    List<String> groupHeaders,
    List<String> extraPrefixes) {

  /** The ConfigMap's keys. */
  public static final String CLIENT_CA = "requestheader-client-ca-file";

  public static final String ALLOWED_NAMES = "requestheader-allowed-names";
  public static final String USERNAME_HEADERS = "requestheader-username-headers";
  public static final String GROUP_HEADERS = "requestheader-group-headers";
  public static final String EXTRA_PREFIXES = "requestheader-extra-headers-prefix";

  private static final ObjectMapper JSON = new ObjectMapper();

  public RequestHeaderConfig {
    clientCa = List.copyOf(clientCa);
    allowedNames = List.copyOf(allowedNames);
    usernameHeaders = List.copyOf(usernameHeaders);
    groupHeaders = List.copyOf(groupHeaders);
    extraPrefixes = List.copyOf(extraPrefixes);
  }

  /**
   * Parses the ConfigMap's data (the lists are JSON arrays in strings, as the kube-apiserver writes
   * them).
   *
   * @param where the ConfigMap's name, for messages
   * @throws IllegalArgumentException naming the key that is missing or malformed
   */
  public static RequestHeaderConfig parse(Map<String, String> data, String where) {
    String ca = data.get(CLIENT_CA);
    if (ca == null || ca.isBlank()) {
      throw new IllegalArgumentException(
          where
              + " has no "
              + CLIENT_CA
              + ": the kube-apiserver runs without --requestheader-client-ca-file, so the"
              + " aggregation layer is not configured");
    }
    return new RequestHeaderConfig(
        Certificates.parsePem(ca.getBytes(StandardCharsets.US_ASCII), where + " " + CLIENT_CA),
        list(data, ALLOWED_NAMES, where),
        list(data, USERNAME_HEADERS, where),
        list(data, GROUP_HEADERS, where),
        list(data, EXTRA_PREFIXES, where));
  }

  /**
   * The caller a request speaks for, when its client certificate chain is from a trusted proxy.
   *
   * @param chain the TLS peer's certificates (leaf first), null or empty when it sent none
   * @param headers request headers, names in any case
   * @throws NotAuthenticatedException saying why the request is not trusted
   */
  public Caller authenticate(X509Certificate[] chain, Map<String, List<String>> headers) {
    if (chain == null || chain.length == 0) {
      throw new NotAuthenticatedException(
          "no client certificate: only the kube-apiserver's aggregation layer may call this server");
    }
    verifyChain(chain);
    String cn = commonName(chain[0].getSubjectX500Principal());
    if (!allowedNames.isEmpty() && !allowedNames.contains(cn)) {
      throw new NotAuthenticatedException(
          "client certificate CN '" + cn + "' is not among " + ALLOWED_NAMES + " " + allowedNames);
    }
    Map<String, List<String>> lower =
        headers.entrySet().stream()
            .collect(
                Collectors.toMap(
                    e -> e.getKey().toLowerCase(Locale.ROOT),
                    Map.Entry::getValue,
                    (a, b) -> {
                      List<String> both = new ArrayList<>(a);
                      both.addAll(b);
                      return both;
                    }));
    String user =
        usernameHeaders.stream()
            .map(h -> lower.getOrDefault(h.toLowerCase(Locale.ROOT), List.of()))
            .filter(v -> !v.isEmpty() && !v.get(0).isEmpty())
            .map(v -> v.get(0))
            .findFirst()
            .orElseThrow(
                () ->
                    new NotAuthenticatedException(
                        "the proxy sent no user name in " + usernameHeaders));
    List<String> groups = new ArrayList<>();
    for (String h : groupHeaders) {
      groups.addAll(lower.getOrDefault(h.toLowerCase(Locale.ROOT), List.of()));
    }
    Map<String, List<String>> extra = new LinkedHashMap<>();
    for (String prefix : extraPrefixes) {
      String p = prefix.toLowerCase(Locale.ROOT);
      lower.forEach(
          (name, values) -> {
            if (name.startsWith(p) && name.length() > p.length()) {
              extra
                  .computeIfAbsent(
                      URLDecoder.decode(name.substring(p.length()), StandardCharsets.UTF_8),
                      k -> new ArrayList<>())
                  .addAll(values);
            }
          });
    }
    return new Caller(user, groups, extra);
  }

  private void verifyChain(X509Certificate[] chain) {
    try {
      PKIXParameters params =
          new PKIXParameters(
              clientCa.stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toSet()));
      params.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX")
          .validate(
              CertificateFactory.getInstance("X.509").generateCertPath(Arrays.asList(chain)),
              params);
    } catch (GeneralSecurityException e) {
      throw new NotAuthenticatedException(
          "client certificate '"
              + chain[0].getSubjectX500Principal().getName()
              + "' is not signed by the "
              + CLIENT_CA
              + ": "
              + e.getMessage());
    }
  }

  /** The CN of a distinguished name, or the whole name when it has none. */
  static String commonName(X500Principal principal) {
    String rfc = principal.getName(X500Principal.RFC2253);
    for (String part : rfc.split(",")) {
      if (part.startsWith("CN=")) {
        return part.substring(3);
      }
    }
    return rfc;
  }

  private static List<String> list(Map<String, String> data, String key, String where) {
    String text = data.get(key);
    if (text == null || text.isBlank()) {
      return List.of();
    }
    try {
      List<String> values = JSON.readValue(text, new TypeReference<List<String>>() {});
      return values.stream().filter(v -> v != null && !v.isEmpty()).toList();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          where + " " + key + " is not a JSON array of strings: " + Excerpts.quote(text), e);
    }
  }
}
