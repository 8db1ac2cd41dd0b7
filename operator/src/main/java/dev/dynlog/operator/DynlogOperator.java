package dev.dynlog.operator;

import dev.dynlog.operator.http.OperatorHttpServer;
import dev.dynlog.operator.metrics.OperatorMetrics;
import dev.dynlog.operator.query.QueryServer;
import dev.dynlog.operator.reconcile.TracepointReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running operator: the JOSDK {@link Operator} with the {@link TracepointReconciler}, leader
 * election, Micrometer metrics and the HTTP endpoints. Used by {@link OperatorMain} and by tests.
 */
public final class DynlogOperator implements AutoCloseable {

  /** The JDK HTTP server's switch for TCP_NODELAY on accepted connections. */
  private static final String NODELAY = "sun.net.httpserver.nodelay";

  private static final Logger LOG = LoggerFactory.getLogger(DynlogOperator.class);
  private static final String NOT_STARTED = "operator not started";

  private final Operator operator;
  private final OperatorHttpServer http;
  private final QueryServer query;
  private final AtomicBoolean closing;

  private DynlogOperator(
      Operator operator, OperatorHttpServer http, QueryServer query, AtomicBoolean closing) {
    this.operator = operator;
    this.http = http;
    this.query = query;
    this.closing = closing;
  }

  /**
   * Starts the operator on the given client (which it does not close). The HTTP port and the query
   * server's port are bound first, so a port in use fails before anything else starts; on any
   * failure what was started is stopped again.
   */
  public static DynlogOperator start(KubernetesClient client, OperatorSettings settings) {
    // TCP_NODELAY on the JDK servers' connections (read once, when the first server is made):
    // without it, their separate header and body writes meet the client's delayed ACK and every
    // answer waits about 40 ms (QueryBenchmarkIT measured 48 ms for the query API's discovery)
    if (System.getProperty(NODELAY) == null) System.setProperty(NODELAY, "true");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicReference<Operator> created = new AtomicReference<>();
    OperatorHttpServer http = null;
    if (settings.httpPort() >= 0) {
      try {
        http =
            new OperatorHttpServer(
                settings.httpPort(),
                registry,
                () -> created.get() == null ? NOT_STARTED : health(created.get().getRuntimeInfo()),
                () ->
                    created.get() == null
                        ? NOT_STARTED
                        : readiness(created.get().getRuntimeInfo()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot serve HTTP on port " + settings.httpPort(), e);
      }
    }
    AtomicBoolean closing = new AtomicBoolean();
    QueryServer query = null;
    try {
      query = queryServer(client, settings);
      created.set(operator(client, settings, registry, closing));
      created.get().start();
      return new DynlogOperator(created.get(), http, query, closing);
    } catch (RuntimeException e) {
      closing.set(true);
      if (http != null) {
        http.close();
      }
      if (query != null) {
        query.close();
      }
      if (created.get() != null) {
        try {
          created.get().stop();
        } catch (RuntimeException stopping) {
          e.addSuppressed(stopping);
        }
      }
      throw e;
    }
  }

  private static QueryServer queryServer(KubernetesClient client, OperatorSettings settings) {
    if (settings.query().port() < 0) {
      return null;
    }
    try {
      return new QueryServer(client, settings.query());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve the query API on port " + settings.query().port(), e);
    }
  }

  private static Operator operator(
      KubernetesClient client,
      OperatorSettings settings,
      PrometheusMeterRegistry registry,
      AtomicBoolean closing) {
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withStopOnInformerErrorDuringStartup(true)
                  .withUseSSAToPatchPrimaryResource(true)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
              if (settings.leaderElection()) {
                o.withLeaderElectionConfiguration(
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                            settings.leaseName())
                        .withLeaseNamespace(settings.leaseNamespace())
                        .withIdentity(settings.identity())
                        .withLeaseDuration(settings.leaseDuration())
                        .withRenewDeadline(settings.renewDeadline())
                        .withRetryPeriod(settings.retryPeriod())
                        // JOSDK's own exit would call System.exit from inside our shutdown hook
                        // (deadlock).
                        .withExitOnStopLeading(false)
                        .withLeaderCallbacks(
                            new LeaderCallbacks(
                                () -> {},
                                () -> {
                                  if (settings.exitOnLostLeadership() && !closing.get()) {
                                    LOG.error(
                                        "lost leadership of Lease {}/{}; halting so that a stale leader "
                                            + "never writes",
                                        settings.leaseNamespace(),
                                        settings.leaseName());
                                    Runtime.getRuntime().halt(1);
                                  }
                                },
                                leader -> {}))
                        .build());
              }
            });
    TracepointReconciler reconciler =
        new TracepointReconciler(client, new OperatorMetrics(registry), Clock.systemUTC());
    operator.register(
        reconciler,
        c -> {
          if (!settings.namespaces().isEmpty()) {
            c.settingNamespaces(settings.namespaces());
          }
        });
    return operator;
  }

  /** The port of the HTTP endpoints, or -1 when disabled. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  /** The port of the aggregated query API (HTTPS), or -1 when disabled. */
  public int queryPort() {
    return query == null ? -1 : query.port();
  }

  @Override
  public void close() {
    closing.set(true);
    if (http != null) {
      http.close();
    }
    if (query != null) {
      query.close();
    }
    operator.stop();
  }

  private static String health(RuntimeInfo info) {
    if (!info.allEventSourcesAreHealthy()) {
      return "unhealthy event sources: " + info.unhealthyEventSources().keySet();
    }
    return null;
  }

  private static String readiness(RuntimeInfo info) {
    if (!info.isStarted()) {
      return NOT_STARTED;
    }
    return health(info);
  }
}
