package dev.dynlog.query;

import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.trace.ProbeCounters;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Query latency over a full default buffer (100,000 rows), in process: prints p50/p99 per query
 * shape. Run with {@code mvn -Pbenchmark ... -Dtest=QueryBenchmarkTest}.
 */
@Tag("benchmark")
class QueryBenchmarkTest {

  @Test
  void queryLatencyOverAFullBuffer() {
    TracepointRegistry registry = new TracepointRegistry(StoreConfig.DEFAULT);
    StoredTracepoint tp =
        registry.register(
            new TracepointInfo("sum", "main.Sum", "bench", Dataset.CAPTURES, true, List.of()),
            () -> new ProbeCounters(0, 0, 0, new long[0], new long[] {0}, 0, 0, 0, 0, 0, 0, 0, 0));
    int rows = StoreConfig.DEFAULT.maxRows();
    for (int i = 0; i < rows; i++) tp.append(Dataset.row("sum", i));
    System.out.printf(
        "buffer: %d rows, %.1f MiB estimated%n",
        tp.buffer().size(), tp.buffer().memoryBytes() / 1048576.0);
    Map<String, Map<String, List<String>>> shapes = new LinkedHashMap<>();
    shapes.put("newest 100, no filter", Map.of("limit", List.of("100")));
    shapes.put("user=user3, newest 1000", Map.of("where", List.of("user=user3")));
    shapes.put(
        "l.Units>45 & min_latency, all",
        Map.of(
            "where",
            List.of("l.Units>45"),
            "min_latency",
            List.of("5ms"),
            "limit",
            List.of("100000")));
    shapes.put(
        "user contains 9 (rare: full scan)",
        Map.of("where", List.of("user contains 9"), "limit", List.of("10")));
    shapes.put(
        "big>U64-10 (BigInteger compare)", Map.of("where", List.of("big>18446744073709551605")));
    for (Map.Entry<String, Map<String, List<String>>> shape : shapes.entrySet()) {
      Query q = QueryParser.parse(shape.getValue(), Instant.now(), Set.of());
      int found = 0;
      for (int w = 0; w < 20; w++) found = QueryEngine.run(tp, q).size();
      long[] ns = new long[200];
      for (int k = 0; k < ns.length; k++) {
        long t0 = System.nanoTime();
        QueryEngine.run(tp, q);
        ns[k] = System.nanoTime() - t0;
      }
      Arrays.sort(ns);
      System.out.printf(
          "%-36s %6d rows  p50 %7.3f ms  p99 %7.3f ms%n",
          shape.getKey(), found, ns[ns.length / 2] / 1e6, ns[(int) (ns.length * 0.99) - 1] / 1e6);
    }
    List<Long> appendNs = new ArrayList<>();
    for (int r = 0; r < 5; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < rows; i++) tp.append(Dataset.row("sum", i));
      appendNs.add((System.nanoTime() - t0) / rows);
    }
    System.out.printf(
        "append (row construction included, buffer full, evicting): %s ns/row%n", appendNs);
  }
}
