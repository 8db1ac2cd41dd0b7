package dev.dynlog.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The breaker's arithmetic: windows, ratios, consecutive windows, the message. */
class CpuBudgetTest {

  static final long TICK = 250_000_000L; // 4 ticks per window

  /** Feeds one window of 4 ticks at {@code callsPerSecond} and {@code cpuRatio}. */
  static CpuBudget.Window window(CpuBudget b, long callsPerSecond, double cpuRatio) {
    CpuBudget.Window w = null;
    for (int i = 0; i < 4; i++) {
      CpuBudget.Window now = b.add(TICK, callsPerSecond / 4, cpuRatio * TICK);
      if (i < 3) assertNull(now, "no verdict before a whole second");
      w = now;
    }
    return w;
  }

  @Test
  void tripsAfterThreeConsecutiveSecondsOverTheBudgetOnly() {
    CpuBudget b = new CpuBudget(5);
    CpuBudget.Window w = window(b, 1000, 0.01);
    assertEquals(0.01, w.cpuRatio(), 1e-12);
    assertEquals(1000, w.callsPerSecond(), 1e-9);
    assertFalse(w.over());
    assertTrue(window(b, 200_000, 0.2).over());
    assertTrue(window(b, 200_000, 0.2).over());
    assertFalse(window(b, 1000, 0.049).over(), "a second under the budget resets the count");
    assertFalse(window(b, 200_000, 0.2).trip());
    assertFalse(window(b, 200_000, 0.051).trip());
    CpuBudget.Window third = window(b, 182_000, 0.214);
    assertTrue(third.trip(), "third second in a row");
    assertEquals(
        "over its CPU budget: 182,000 calls/s cost 21.4% of a core (limit 5%) for 3 s; detached"
            + " until the spec changes. Narrow the selector or processName, trace a less"
            + " frequently called function, or raise limits.maxCpuPercent",
        b.message(third));
    assertEquals(third, b.last());
  }

  @Test
  void exactlyAtTheBudgetIsNotOverAndFractionalLimitsPrintAsGiven() {
    CpuBudget b = new CpuBudget(2.5);
    for (int i = 0; i < 5; i++) assertFalse(window(b, 10, 0.025).over());
    CpuBudget.Window w = null;
    for (int i = 0; i < 3; i++) w = window(b, 10, 0.026);
    assertTrue(w.trip());
    assertTrue(b.message(w).contains("2.6% of a core (limit 2.5%)"), b.message(w));
  }

  @Test
  void unevenTicksAreWeightedByTheirLength() {
    CpuBudget b = new CpuBudget(10);
    assertNull(b.add(900_000_000L, 900, 0));
    CpuBudget.Window w = b.add(300_000_000L, 300, 600_000_000.0);
    assertEquals(0.5, w.cpuRatio(), 1e-12, "0.6 s of CPU in 1.2 s");
    assertEquals(1000, w.callsPerSecond(), 1e-9);
    assertThrows(IllegalArgumentException.class, () -> new CpuBudget(0));
    assertThrows(IllegalArgumentException.class, () -> new CpuBudget(100.1));
  }
}
