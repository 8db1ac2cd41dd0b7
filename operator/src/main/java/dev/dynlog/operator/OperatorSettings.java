package dev.dynlog.operator;

import dev.dynlog.operator.query.QuerySettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How the operator runs. {@link #fromEnvironment(Map)} reads the Deployment's environment.
 *
 * @param namespaces namespaces to watch; empty means all
 * @param leaderElection whether to elect a leader through a Lease
 * @param leaseName name of the Lease
 * @param leaseNamespace namespace of the Lease
 * @param identity this replica's identity in the election (e.g. the pod name)
 * @param leaseDuration how long a lease is valid without renewal
 * @param renewDeadline how long the leader keeps trying to renew
 * @param retryPeriod how often candidates retry
 * @param exitOnLostLeadership exit the JVM when leadership is lost (true in production, so a stale
 *     leader can never keep writing)
 * @param httpPort port of /metrics, /healthz and /readyz; 0 picks a free port, -1 disables
 * @param startupTimeout how long the process keeps trying to reach the API server at start before
 *     it exits (see {@code OperatorMain})
 * @param query the aggregated query API server ({@link QuerySettings#DISABLED}: none)
 */
public record OperatorSettings(
    Set<String> namespaces,
    boolean leaderElection,
    String leaseName,
    String leaseNamespace,
    String identity,
    Duration leaseDuration,
    Duration renewDeadline,
    Duration retryPeriod,
    boolean exitOnLostLeadership,
    int httpPort,
    Duration startupTimeout,
    QuerySettings query) {

  /** Default of {@link #startupTimeout}. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(30);

  /** The environment variable that sets {@link #startupTimeout}. */
  public static final String STARTUP_TIMEOUT_VARIABLE = "DYNLOG_STARTUP_TIMEOUT";

  private static final Pattern DURATION = Pattern.compile("([0-9]+)(ms|s|m)");

  public OperatorSettings {
    namespaces = Set.copyOf(namespaces);
    query = query == null ? QuerySettings.DISABLED : query;
  }

  /** Settings without the query server. */
  public OperatorSettings(
      Set<String> namespaces,
      boolean leaderElection,
      String leaseName,
      String leaseNamespace,
      String identity,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod,
      boolean exitOnLostLeadership,
      int httpPort,
      Duration startupTimeout) {
    this(
        namespaces,
        leaderElection,
        leaseName,
        leaseNamespace,
        identity,
        leaseDuration,
        renewDeadline,
        retryPeriod,
        exitOnLostLeadership,
        httpPort,
        startupTimeout,
        QuerySettings.DISABLED);
  }

  /** These settings with another query server. */
  public OperatorSettings withQuery(QuerySettings newQuery) {
    return new OperatorSettings(
        namespaces,
        leaderElection,
        leaseName,
        leaseNamespace,
        identity,
        leaseDuration,
        renewDeadline,
        retryPeriod,
        exitOnLostLeadership,
        httpPort,
        startupTimeout,
        newQuery);
  }

  /**
   * Settings from environment variables: DYNLOG_NAMESPACES (comma-separated, empty = all),
   * DYNLOG_LEADER_ELECTION (default true), DYNLOG_LEASE_NAMESPACE (default POD_NAMESPACE, else
   * "default"), POD_NAME or HOSTNAME (identity), DYNLOG_HTTP_PORT (default 8080),
   * DYNLOG_STARTUP_TIMEOUT (default 30s), and the query server's ({@link
   * QuerySettings#fromEnvironment}).
   *
   * @throws IllegalArgumentException with one line naming the variable when a value is malformed
   */
  public static OperatorSettings fromEnvironment(Map<String, String> env) {
    Set<String> namespaces =
        Arrays.stream(env.getOrDefault("DYNLOG_NAMESPACES", "").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toSet());
    String leaseNamespace =
        env.getOrDefault("DYNLOG_LEASE_NAMESPACE", env.getOrDefault("POD_NAMESPACE", "default"));
    String identity =
        env.getOrDefault(
            "POD_NAME",
            env.getOrDefault("HOSTNAME", "dynlog-operator-" + ProcessHandle.current().pid()));
    return new OperatorSettings(
        namespaces,
        Boolean.parseBoolean(env.getOrDefault("DYNLOG_LEADER_ELECTION", "true")),
        "dynlog-operator",
        leaseNamespace,
        identity,
        Duration.ofSeconds(15),
        Duration.ofSeconds(10),
        Duration.ofSeconds(2),
        true,
        port(env.getOrDefault("DYNLOG_HTTP_PORT", "8080")),
        duration(STARTUP_TIMEOUT_VARIABLE, env.get(STARTUP_TIMEOUT_VARIABLE)),
        QuerySettings.fromEnvironment(env));
  }

  private static Duration duration(String variable, String text) {
    if (text == null || text.isBlank()) {
      return DEFAULT_STARTUP_TIMEOUT;
    }
    Matcher m = DURATION.matcher(text.trim());
    if (m.matches() && m.group(1).length() <= 9) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMinutes(n);
      };
    }
    throw new IllegalArgumentException(
        variable + " must be a duration such as 30s or 2m, got '" + text + "'");
  }

  private static int port(String text) {
    try {
      int port = Integer.parseInt(text.trim());
      if (port >= -1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "DYNLOG_HTTP_PORT must be a port number (0 for any, -1 "
            + "to disable), got '"
            + text
            + "'");
  }
}
