package dev.dynlog.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.operator.k8s.StartupException;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.OperatorException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The one line the operator prints when it cannot start, for failures the startup check cannot
 * foresee (the process-level cases run in {@code OperatorStartupIT}).
 */
class OperatorMainTest {

  @Test
  void anApiServerAnswerDeepInJosdksWrappersBecomesItsStatus() {
    KubernetesClientException forbidden =
        new KubernetesClientException(
            new StatusBuilder()
                .withCode(403)
                .withMessage(
                    "tracepoints.dynlog.dev is forbidden: User \"x\" cannot list resource"
                        + " \"tracepoints\" in API group \"dynlog.dev\" at the cluster scope")
                .build());
    Exception wrapped =
        new OperatorException(
            "Error starting operator",
            new OperatorException(new ExecutionException(new OperatorException(forbidden))));
    assertEquals(
        "the operator could not start: the API server answered 403 Forbidden:"
            + " tracepoints.dynlog.dev is forbidden: User \"x\" cannot list resource"
            + " \"tracepoints\" in API group \"dynlog.dev\" at the cluster scope",
        OperatorMain.oneLine(wrapped));
  }

  @Test
  void otherFailuresGiveTheOuterAndTheDeepestMessage() {
    assertEquals(
        "cannot serve HTTP on port 8080: Address already in use",
        OperatorMain.oneLine(
            new UncheckedIOException(
                "cannot serve HTTP on port 8080", new BindException("Address already in use"))));
    assertEquals(
        "no API server URL in x",
        OperatorMain.oneLine(new StartupException("no API server URL in x")));
  }

  @Test
  void debugAddsTheStackTraceOnlyWhenAskedFor() {
    StartupException e = new StartupException("the API server refused the credentials");
    assertEquals("dynlog-operator: the API server refused the credentials\n", printed(e, false));
    String debug = printed(e, true);
    assertTrue(debug.startsWith("dynlog-operator: the API server refused the credentials\n"));
    assertTrue(debug.contains("\tat "), debug);
    assertTrue(OperatorMain.debug("1"));
    assertFalse(OperatorMain.debug("0"));
    assertFalse(OperatorMain.debug("false"));
    assertFalse(OperatorMain.debug(null));
  }

  private static String printed(Throwable e, boolean debug) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    OperatorMain.fail(e, debug, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
