package dev.dynlog.operator.query;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the aggregated query API is served. {@link #fromEnvironment} reads the Deployment's
 * environment.
 *
 * @param port HTTPS port; 0 picks a free port, -1 disables the server
 * @param tlsCert PEM certificate chain, or null for a self-signed one
 * @param tlsKey PEM (PKCS #8) key of {@code tlsCert}, or null
 * @param agentTokenFile file holding the bearer token sent to agents (read on each use, so a
 *     rotated token is picked up), or null to send the client's own OAuth token
 * @param agentTimeout how long one agent may take to answer
 * @param authConfigMapNamespace namespace of the request-header ConfigMap
 * @param authConfigMapName name of the request-header ConfigMap
 */
public record QuerySettings(
    int port,
    Path tlsCert,
    Path tlsKey,
    Path agentTokenFile,
    Duration agentTimeout,
    String authConfigMapNamespace,
    String authConfigMapName) {

  /** The default HTTPS port. */
  public static final int DEFAULT_PORT = 8443;

  /** The default of {@link #agentTimeout}. */
  public static final Duration DEFAULT_AGENT_TIMEOUT = Duration.ofSeconds(5);

  /** The service account token a pod gets. */
  public static final Path SERVICE_ACCOUNT_TOKEN =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

  /** No query server. */
  public static final QuerySettings DISABLED =
      new QuerySettings(
          -1,
          null,
          null,
          null,
          DEFAULT_AGENT_TIMEOUT,
          FrontProxyAuthenticator.DEFAULT_NAMESPACE,
          FrontProxyAuthenticator.DEFAULT_NAME);

  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)");

  public QuerySettings {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException(
          "DYNLOG_QUERY_TLS_CERT and DYNLOG_QUERY_TLS_KEY go together: set both or neither");
    }
    if (agentTimeout.isNegative() || agentTimeout.isZero()) {
      throw new IllegalArgumentException("DYNLOG_AGENT_TIMEOUT must be positive");
    }
  }

  /** A query server on {@code port} with a self-signed certificate and the default ConfigMap. */
  public static QuerySettings onPort(int port) {
    return DISABLED.withPort(port);
  }

  /** These settings on another port. */
  public QuerySettings withPort(int newPort) {
    return new QuerySettings(
        newPort,
        tlsCert,
        tlsKey,
        agentTokenFile,
        agentTimeout,
        authConfigMapNamespace,
        authConfigMapName);
  }

  /** These settings with another agent token file and timeout. */
  public QuerySettings withAgents(Path tokenFile, Duration timeout) {
    return new QuerySettings(
        port, tlsCert, tlsKey, tokenFile, timeout, authConfigMapNamespace, authConfigMapName);
  }

  /** These settings reading the request-header settings from another ConfigMap (tests). */
  public QuerySettings withAuthConfigMap(String namespace, String name) {
    return new QuerySettings(port, tlsCert, tlsKey, agentTokenFile, agentTimeout, namespace, name);
  }

  /**
   * From DYNLOG_QUERY_PORT (default 8443, -1 disables), DYNLOG_QUERY_TLS_CERT and
   * DYNLOG_QUERY_TLS_KEY (PEM files; neither: self-signed), DYNLOG_AGENT_TOKEN_FILE (default the
   * pod's service account token when present), DYNLOG_AGENT_TIMEOUT (default 5s).
   *
   * @throws IllegalArgumentException naming the variable when a value is malformed
   */
  public static QuerySettings fromEnvironment(Map<String, String> env) {
    int port = port("DYNLOG_QUERY_PORT", env.getOrDefault("DYNLOG_QUERY_PORT", "" + DEFAULT_PORT));
    String token = env.get("DYNLOG_AGENT_TOKEN_FILE");
    Path tokenFile =
        token != null && !token.isBlank()
            ? Path.of(token.trim())
            : Files.isReadable(SERVICE_ACCOUNT_TOKEN) ? SERVICE_ACCOUNT_TOKEN : null;
    return new QuerySettings(
        port,
        path(env.get("DYNLOG_QUERY_TLS_CERT")),
        path(env.get("DYNLOG_QUERY_TLS_KEY")),
        tokenFile,
        duration("DYNLOG_AGENT_TIMEOUT", env.get("DYNLOG_AGENT_TIMEOUT")),
        FrontProxyAuthenticator.DEFAULT_NAMESPACE,
        FrontProxyAuthenticator.DEFAULT_NAME);
  }

  private static Path path(String text) {
    return text == null || text.isBlank() ? null : Path.of(text.trim());
  }

  private static Duration duration(String variable, String text) {
    if (text == null || text.isBlank()) {
      return DEFAULT_AGENT_TIMEOUT;
    }
    Matcher m = DURATION.matcher(text.trim());
    if (m.matches() && Long.parseLong(m.group(1)) > 0) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMinutes(n);
      };
    }
    throw new IllegalArgumentException(
        variable + " must be a positive duration such as 5s or 500ms, got '" + text + "'");
  }

  private static int port(String variable, String text) {
    try {
      int port = Integer.parseInt(text.trim());
      if (port >= -1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        variable + " must be a port number (0 for any, -1 to disable), got '" + text + "'");
  }
}
