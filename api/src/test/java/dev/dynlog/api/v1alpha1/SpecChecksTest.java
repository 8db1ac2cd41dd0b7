package dev.dynlog.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The spec checks the operator and {@code dynlog run -f} share, on function names. */
class SpecChecksTest {

  private static List<SpecProblem> function(String name) {
    TracepointSpec s = new TracepointSpec();
    s.setFunction(name);
    return SpecChecks.problems(s);
  }

  @Test
  void goAndCppNamesIncludingOverloadsByReference() {
    for (String ok :
        List.of(
            "main.(*Server).Login",
            "github.com/acme/shop.Sum[go.shape.int]",
            "ns::Cart::add",
            "ns::f(const std::string&)",
            "ns::g(int&&, char const*)",
            "ns::Box<int>::~Box")) {
      assertEquals(List.of(), function(ok), ok);
    }
  }

  @Test
  void otherCharactersAreRefused() {
    for (String bad : List.of("main.F;rm", "1main", "main.F\n", "a|b")) {
      List<SpecProblem> p = function(bad);
      assertEquals(1, p.size(), bad);
      assertEquals(SpecChecks.INVALID_FUNCTION, p.get(0).reason());
      assertTrue(p.get(0).message().startsWith("spec.function"), p.get(0).message());
    }
  }

  @Test
  void cpuBudgetIsAPercentOfOneCoreAboveZeroAndAtMost100() {
    assertEquals(5.0, Limits.effective(null).getMaxCpuPercent());
    assertEquals(0.5, Limits.effective(new Limits(null, null, null, null, 0.5)).getMaxCpuPercent());
    for (double ok : new double[] {0.01, 5, 100}) {
      TracepointSpec s = new TracepointSpec();
      s.setFunction("main.F");
      s.setLimits(new Limits(null, null, null, null, ok));
      assertEquals(List.of(), SpecChecks.problems(s), "maxCpuPercent " + ok);
    }
    for (double bad : new double[] {0, -1, 100.5, Double.NaN}) {
      TracepointSpec s = new TracepointSpec();
      s.setFunction("main.F");
      s.setLimits(new Limits(null, null, null, null, bad));
      List<SpecProblem> p = SpecChecks.problems(s);
      assertEquals(1, p.size(), "maxCpuPercent " + bad);
      assertEquals(SpecChecks.INVALID_LIMITS, p.get(0).reason());
      assertEquals(
          "spec.limits.maxCpuPercent must be in (0, 100] (percent of one core), not " + bad,
          p.get(0).message());
    }
  }
}
