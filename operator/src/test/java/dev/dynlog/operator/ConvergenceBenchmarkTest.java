package dev.dynlog.operator;

import dev.dynlog.operator.testing.ScaleScenario;
import dev.dynlog.operator.testing.TestApiServer;
import dev.dynlog.operator.testing.TestOperator;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Prints, for N Tracepoints over M nodes on the real API server, the time to converge and the API
 * requests the operator issued per Tracepoint. Run: {@code mvn -pl api,operator -am verify
 * -Pbenchmark}.
 */
@Tag("benchmark")
class ConvergenceBenchmarkTest {

  @Test
  void convergenceAtSeveralSizes() throws Exception {
    int[][] sizes = {{50, 10}, {200, 20}, {500, 50}};
    StringBuilder report = new StringBuilder("\n=== operator convergence benchmark ===\n");
    for (int[] size : sizes) {
      try (TestOperator operator =
          TestOperator.start("bench-" + size[0], "bench-lease-" + size[0])) {
        ScaleScenario.Result r =
            ScaleScenario.run(
                TestApiServer.get().client(), operator, size[0], size[1], Duration.ofMinutes(5));
        report.append(r).append('\n');
        System.out.println(r);
      }
    }
    System.out.println(report);
  }
}
