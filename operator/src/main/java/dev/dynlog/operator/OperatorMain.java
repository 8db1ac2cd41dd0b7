package dev.dynlog.operator;

import dev.dynlog.operator.k8s.ClusterConfig;
import dev.dynlog.operator.k8s.Failures;
import dev.dynlog.operator.k8s.StartupCheck;
import dev.dynlog.operator.k8s.StartupException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the operator Deployment: settings from the environment, the client configuration
 * (kubeconfig or the pod's service account), a {@link StartupCheck} of the API server (reachable,
 * credentials accepted, CRDs installed, every permission of the chart's RBAC rules granted), then
 * the operator until SIGTERM.
 *
 * <p>Anything that keeps it from starting ends the process with exit status 1 and one line on
 * stderr, {@code dynlog-operator: <what is wrong and what to do>}, so that Kubernetes restarts it
 * and a person reading the pod's log sees why; {@code DYNLOG_DEBUG=1} adds the stack trace.
 */
public final class OperatorMain {

  /** The environment variable that adds stack traces to startup errors. */
  static final String DEBUG_VARIABLE = "DYNLOG_DEBUG";

  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  private OperatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> env = System.getenv();
    KubernetesClient client;
    DynlogOperator operator;
    try {
      OperatorSettings settings = OperatorSettings.fromEnvironment(env);
      ClusterConfig cluster =
          ClusterConfig.fromEnvironment(env, Path.of(System.getProperty("user.home")));
      StartupCheck.Verified verified = StartupCheck.verify(cluster, RequiredAccess.of(settings));
      LOG.info(
          "API server {} accepts {} (credentials from {}){}",
          cluster.url(),
          verified.user().isEmpty() ? "the operator" : verified.user(),
          cluster.source(),
          verified.permissionsChecked()
              ? " with every permission the operator needs"
              : "; its permissions could not be checked");
      client = new KubernetesClientBuilder().withConfig(cluster.config()).build();
      operator = DynlogOperator.start(client, settings);
    } catch (RuntimeException e) {
      fail(e, debug(env.get(DEBUG_VARIABLE)), System.err);
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  operator.close();
                  client.close();
                  stopped.countDown();
                },
                "dynlog-operator-shutdown"));
    stopped.await();
  }

  /** Prints why the operator cannot start: one line, plus the stack trace when debugging. */
  static void fail(Throwable e, boolean debug, PrintStream err) {
    err.println("dynlog-operator: " + oneLine(e));
    if (debug) {
      e.printStackTrace(err);
    }
    err.flush();
  }

  /**
   * One line for a startup failure: the message of a {@link StartupException} or a setting's {@link
   * IllegalArgumentException} as it is; for an API server's answer its status and message;
   * otherwise the outermost message followed by the deepest cause's.
   */
  static String oneLine(Throwable e) {
    if (e instanceof StartupException || e instanceof IllegalArgumentException) {
      return Failures.firstLine(e);
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() > 0) {
        return "the operator could not start: the API server answered "
            + Failures.of(k).description();
      }
    }
    String outer = Failures.firstLine(e);
    String deepest = Failures.deepestMessage(e);
    return outer.equals(deepest) || outer.endsWith(deepest) ? outer : outer + ": " + deepest;
  }

  /** DYNLOG_DEBUG is on when set to anything but empty, 0 or false. */
  static boolean debug(String value) {
    return value != null
        && !value.isEmpty()
        && !value.equals("0")
        && !value.equalsIgnoreCase("false");
  }
}
