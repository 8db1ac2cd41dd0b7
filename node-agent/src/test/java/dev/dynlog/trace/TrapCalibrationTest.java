package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.plan.SiteKind;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-hit uprobe costs measured on this machine: positive, a single-stepped instruction at
 * least as dear as an emulated one, in a plausible range, and measured fast enough for agent start.
 */
@Tag("bpf")
class TrapCalibrationTest {

  @Test
  void theCalibrationPageHoldsOneFunctionOfEachKind() {
    for (Map.Entry<SiteKind, byte[]> e : TrapCalibration.functions().entrySet()) {
      assertEquals(e.getKey(), SiteKind.of(e.getValue()), "slot of " + e.getKey());
    }
    assertEquals(SiteKind.values().length, TrapCalibration.functions().size());
  }

  @Test
  void measuredCostsArePositiveOrderedAndPlausible(@TempDir Path dir) throws Exception {
    try (Tracer tracer = Tracer.open()) {
      long start = System.nanoTime();
      TrapCosts costs = tracer.calibrate(dir);
      double ms = (System.nanoTime() - start) / 1e6;
      System.out.printf("calibration took %.0f ms: %s%n", ms, costs);
      long start2 = System.nanoTime();
      TrapCosts again = tracer.calibrate(dir);
      System.out.printf("again in %.0f ms: %s%n", (System.nanoTime() - start2) / 1e6, again);
      assertTrue(costs.measured());
      assertEquals(again, tracer.trapCosts());
      assertTrue(ms < 500, "calibration took " + ms + " ms");
      for (SiteKind k : SiteKind.values()) {
        double ns = costs.of(k);
        assertTrue(ns > 50 && ns < 200_000, k + " costs " + ns + " ns per hit");
      }
      assertTrue(costs.uretprobeNs() > 50, "uretprobe " + costs.uretprobeNs());
      double step = costs.of(SiteKind.OTHER);
      assertTrue(step >= costs.of(SiteKind.PUSH), costs.toString());
      assertTrue(step >= costs.of(SiteKind.BRANCH), costs.toString());
      // repeatable: a second measurement of the dearest kind within a factor of 2
      double ratio = again.of(SiteKind.OTHER) / step;
      assertTrue(ratio > 0.5 && ratio < 2, "OTHER " + step + " then " + again.of(SiteKind.OTHER));
    }
  }
}
