package dev.dynlog.operator;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.operator.testing.ApiServerTest;
import dev.dynlog.operator.testing.ScaleScenario;
import dev.dynlog.operator.testing.TestOperator;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** 100 Tracepoints across 20 nodes converge: 300 assignments, every status right, all Active. */
@Tag("apiserver")
@ApiServerTest(identity = "scale", lease = "scale-lease")
class ScaleTest {

  @Test
  void hundredTracepointsOnTwentyNodesConverge(KubernetesClient client, TestOperator operator)
      throws Exception {
    ScaleScenario.Result result =
        ScaleScenario.run(client, operator, 100, 20, Duration.ofSeconds(120));
    System.out.println(result);
    // Not a timing assertion: a reconcile loop that keeps writing would show up here.
    assertTrue(result.requestsPerTracepoint() < 20, result.toString());
    assertTrue(result.activeRequestsPerTracepoint() < 10, result.toString());
  }
}
