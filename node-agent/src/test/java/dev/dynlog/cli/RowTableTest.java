package dev.dynlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.trace.Row;
import dev.dynlog.trace.RowJsonTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The live table's line format. */
class RowTableTest {

  @Test
  void tableLine() {
    RowTable t = new RowTable(null, true, true);
    assertEquals(
        "09:30:21.123456      10      11        7     1.50µs  name=\"al\\\"ice\\n\" n=-5 u64=18446744073709551615"
            + " ok=true f=2.5 nan=\"NaN\" err=null l={\"Currency\":\"EUR\",\"Units\":12} list=[1,\"two\"]"
            + " p=!cannot read 8 bytes at 0x0",
        t.format(RowJsonTest.row()));
    assertEquals("812ns", RowTable.formatLatency(812));
    assertEquals("12.3µs", RowTable.formatLatency(12_340));
    assertEquals("456ms", RowTable.formatLatency(456_000_000));
    assertEquals("2.00s", RowTable.formatLatency(2_000_000_000));
    Map<String, Object> c = Map.of("s", "y".repeat(200));
    String line =
        new RowTable(null, false, false).format(new Row("t", 0, 1, 2, -1, "f", -1, c, Map.of()));
    assertTrue(line.endsWith("s=\"" + "y".repeat(RowTable.MAX_VALUE_WIDTH - 2) + "…"), line);
  }
}
