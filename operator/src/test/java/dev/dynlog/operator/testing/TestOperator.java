package dev.dynlog.operator.testing;

import dev.dynlog.operator.DynlogOperator;
import dev.dynlog.operator.OperatorSettings;
import dev.dynlog.operator.query.QuerySettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Set;

/**
 * The real operator started against the test API server on its own client, whose requests are
 * counted. Leader election is on, with short timings; losing leadership does not exit the JVM.
 */
public final class TestOperator implements AutoCloseable {

  private final RequestCounter requests;
  private final KubernetesClient client;
  private final DynlogOperator operator;

  private TestOperator(
      String identity,
      String leaseName,
      String leaseNamespace,
      KubernetesClient client,
      RequestCounter requests,
      QuerySettings query) {
    this.client = client;
    this.requests = requests;
    operator =
        DynlogOperator.start(
            client,
            new OperatorSettings(
                Set.of(),
                true,
                leaseName,
                leaseNamespace,
                identity,
                Duration.ofSeconds(3),
                Duration.ofSeconds(2),
                Duration.ofMillis(500),
                false,
                0,
                OperatorSettings.DEFAULT_STARTUP_TIMEOUT,
                query));
  }

  /** Starts an operator (admin credentials) competing for the given Lease in "default". */
  public static TestOperator start(String identity, String leaseName) {
    RequestCounter counter = new RequestCounter();
    return new TestOperator(
        identity,
        leaseName,
        "default",
        TestApiServer.get().newClient(counter),
        counter,
        QuerySettings.DISABLED);
  }

  /**
   * Starts an operator (admin credentials) competing for the given Lease in "default", serving the
   * aggregated query API as {@code query} says (e.g. {@code QuerySettings.onPort(0)}, then {@link
   * #queryPort()}; {@code withAuthConfigMap} for a request-header ConfigMap of the test's own).
   */
  public static TestOperator start(String identity, String leaseName, QuerySettings query) {
    RequestCounter counter = new RequestCounter();
    return new TestOperator(
        identity, leaseName, "default", TestApiServer.get().newClient(counter), counter, query);
  }

  /**
   * Starts an operator on a client made with {@link TestApiServer#newClient} from the given counter
   * (e.g. with a service account's token), its Lease in {@code leaseNamespace}.
   */
  public static TestOperator start(
      String identity,
      String leaseName,
      String leaseNamespace,
      KubernetesClient client,
      RequestCounter counter) {
    return new TestOperator(
        identity, leaseName, leaseNamespace, client, counter, QuerySettings.DISABLED);
  }

  /** Requests issued by this operator so far. */
  public RequestCounter requests() {
    return requests;
  }

  /** Port of /metrics, /healthz, /readyz. */
  public int httpPort() {
    return operator.httpPort();
  }

  /** HTTPS port of the aggregated query API, or -1 when not started with one. */
  public int queryPort() {
    return operator.queryPort();
  }

  @Override
  public void close() {
    operator.close();
    client.close();
  }
}
