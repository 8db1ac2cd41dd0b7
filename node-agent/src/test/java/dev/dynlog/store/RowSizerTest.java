package dev.dynlog.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.trace.Row;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The estimate must be conservative: the heap really retained by rows is at most the estimate. */
class RowSizerTest {

  private static Row realisticRow(int i) {
    Map<String, Object> money = new LinkedHashMap<>();
    money.put("Currency", "EUR" + i);
    money.put("Units", (long) i * 1000);
    money.put("Nanos", (long) i);
    Map<String, Object> captures = new LinkedHashMap<>();
    captures.put("username", "user-" + i + "-" + "abcdefghij".repeat(i % 5));
    captures.put("l", money);
    captures.put("big", BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.valueOf(i + 2)));
    captures.put("ok", i % 2 == 0);
    captures.put("ratio", i / 7.0);
    captures.put("tags", List.of("a" + i, "b" + i, "c" + i));
    captures.put("err", null);
    Map<String, String> errors = new LinkedHashMap<>();
    if (i % 3 == 0) errors.put("p", "cannot read 8 bytes at 0x" + Integer.toHexString(i));
    return new Row("tp-" + i, i, i, i, i, "main.(*Server).Login" + i, i, captures, errors);
  }

  private static long usedHeap() {
    for (int i = 0; i < 4; i++) System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Test
  void estimateIsAtLeastTheRealHeapFootprint() {
    int n = 100_000;
    long before = usedHeap();
    List<Row> rows = new ArrayList<>(n);
    long estimated = 0;
    for (int i = 0; i < n; i++) {
      Row r = realisticRow(i);
      rows.add(r);
      estimated += RowSizer.estimate(r);
    }
    long after = usedHeap();
    long real = after - before;
    System.out.printf(
        "RowSizer: %d rows, real heap %.1f MiB, estimated %.1f MiB (%.0f%% of estimate)%n",
        rows.size(), real / 1048576.0, estimated / 1048576.0, 100.0 * real / estimated);
    assertTrue(real > 0, "heap measurement failed");
    assertTrue(real <= estimated, "estimate " + estimated + " below real footprint " + real);
    assertTrue(
        real * 3 > estimated, "estimate " + estimated + " is wildly above real footprint " + real);
  }
}
