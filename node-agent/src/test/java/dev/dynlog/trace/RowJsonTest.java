package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The JSONL row format of issue 3, and the table line. */
public class RowJsonTest {

  /** A row with every kind of value; shared with the table format's test. */
  public static Row row() {
    Map<String, Object> money = new LinkedHashMap<>();
    money.put("Currency", "EUR");
    money.put("Units", 12L);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", "al\"ice\n");
    c.put("n", -5L);
    c.put("u64", new BigInteger("18446744073709551615"));
    c.put("ok", true);
    c.put("f", 2.5);
    c.put("nan", Double.NaN);
    c.put("err", null);
    c.put("l", money);
    c.put("list", List.of(1L, "two"));
    Map<String, String> errors = new LinkedHashMap<>();
    errors.put("p", "cannot read 8 bytes at 0x0");
    long ts =
        Instant.parse("2026-11-26T09:30:21Z").getEpochSecond() * 1_000_000_000L + 123_456_789L;
    return new Row("t", ts, 10, 11, 7, "main.(*S).Login", 1500, c, errors);
  }

  @Test
  void writesTheDocumentedKeysAndValues() throws Exception {
    String line = RowJson.toJson(row());
    assertTrue(!line.contains("\n"));
    JsonNode n = new ObjectMapper().readTree(line);
    assertEquals("2026-11-26T09:30:21.123456789Z", n.get("ts").asText());
    assertEquals(10, n.get("pid").asInt());
    assertEquals(11, n.get("tid").asInt());
    assertEquals(7, n.get("goid").asLong());
    assertEquals("main.(*S).Login", n.get("function").asText());
    assertEquals(1500, n.get("latency_ns").asLong());
    JsonNode c = n.get("captures");
    assertEquals("al\"ice\n", c.get("name").asText());
    assertEquals(new BigInteger("18446744073709551615"), c.get("u64").bigIntegerValue());
    assertTrue(c.get("ok").booleanValue());
    assertEquals(2.5, c.get("f").doubleValue());
    assertEquals("NaN", c.get("nan").textValue());
    assertTrue(c.get("err").isNull());
    assertEquals("EUR", c.get("l").get("Currency").asText());
    assertEquals("two", c.get("list").get(1).asText());
    assertEquals("cannot read 8 bytes at 0x0", n.get("errors").get("p").asText());
    assertEquals(
        List.of("ts", "pid", "tid", "goid", "function", "latency_ns", "captures", "errors"),
        iterate(n.fieldNames()));
  }

  private static List<String> iterate(Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void timestampsMatchTheJdkFormatter() {
    DateTimeFormatter jdk =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
    Random random = new Random(42);
    long[] fixed = {
      0,
      -1,
      1,
      999_999_999,
      1_000_000_000,
      -1_000_000_001,
      1_767_225_599_999_999_999L,
      Long.MAX_VALUE
    };
    List<Long> values = new ArrayList<>();
    for (long v : fixed) values.add(v);
    for (int i = 0; i < 10_000; i++) values.add(random.nextLong() % 4_000_000_000_000_000_000L);
    long base = 1_767_225_600_000_000_000L;
    for (int i = 0; i < 1000; i++) values.add(base + random.nextInt(3_000_000) * 1000L);
    for (long v : values) {
      Instant t =
          Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000_000L), Math.floorMod(v, 1_000_000_000L));
      assertEquals(jdk.format(t), RowJson.formatTimestamp(v), "epoch ns " + v);
      assertEquals(v, RowJson.parseTimestamp(RowJson.formatTimestamp(v)), "round trip " + v);
    }
  }

  @Test
  void omitsGoidLatencyAndEmptyErrors() throws Exception {
    Row r = new Row("t", 0, 1, 2, -1, "f", -1, Map.of(), Map.of());
    assertEquals(
        "{\"ts\":\"1970-01-01T00:00:00.000000000Z\",\"pid\":1,\"tid\":2,\"function\":\"f\",\"captures\":{}}",
        RowJson.toJson(r));
  }

  @Test
  void roundTrips() {
    Row r = row();
    Row back = RowJson.fromJson(RowJson.toJson(r), "t");
    assertEquals(RowJson.toJson(r), RowJson.toJson(back));
    assertEquals(r.epochNanos(), back.epochNanos());
    assertEquals(new BigInteger("18446744073709551615"), back.captures().get("u64"));
    assertEquals(-5L, back.captures().get("n"));
    assertThrows(IllegalArgumentException.class, () -> RowJson.fromJson("{\"dropped\":3}", "t"));
    assertThrows(IllegalArgumentException.class, () -> RowJson.fromJson("not json", "t"));
  }
}
