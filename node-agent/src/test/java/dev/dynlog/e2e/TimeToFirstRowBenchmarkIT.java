package dev.dynlog.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time from {@code dynlog trace} starting (a fresh JVM, as a user runs it) to the first captured
 * row, on the largest Go binary the resolver benchmark builds (kube-apiserver with DWARF, about 145
 * MB). The binary runs {@code --version} in a loop, which calls {@code
 * k8s.io/component-base/version.Get}; dynlog traces it with {@code --executable}, so each new
 * process is caught. Prints the figures; asserts only that a row arrived.
 */
@Tag("benchmark")
class TimeToFirstRowBenchmarkIT {

  @TempDir Path work;

  @Test
  void timeToFirstRowOnTheLargestGoBinary() throws Exception {
    Path binary =
        Path.of(
            System.getenv()
                .getOrDefault("DYNLOG_BENCH_BINARY", "/var/cache/dynlog/dw-bench/kube-apiserver"));
    assertTrue(
        Files.isExecutable(binary),
        binary
            + " is missing: the resolver benchmark (DwarfBenchmarkTest, run by `mvn -Pbenchmark verify`) builds it");
    Process loop =
        new ProcessBuilder(
                "bash",
                "-c",
                "while true; do '" + binary + "' --version >/dev/null 2>&1; sleep 0.02; done")
            .start();
    List<Double> seconds = new ArrayList<>();
    try {
      for (int run = 0; run < 3; run++) {
        long start = System.nanoTime();
        try (DynlogCli dynlog =
            DynlogCli.start(
                work,
                "trace",
                "--executable",
                binary.toString(),
                "k8s.io/component-base/version.Get",
                "--capture",
                "v=$0.GitVersion",
                "--latency",
                "--output",
                "jsonl",
                "--duration",
                "60s")) {
          long attached = -1;
          while (System.nanoTime() - start < Duration.ofSeconds(120).toNanos()) {
            if (attached < 0 && dynlog.stderrText().contains("dynlog: tracing"))
              attached = System.nanoTime();
            if (Files.size(dynlog.stdout) > 0) break;
            assertTrue(dynlog.process.isAlive(), dynlog.stderrText());
            Thread.sleep(5);
          }
          long first = System.nanoTime();
          assertTrue(Files.size(dynlog.stdout) > 0, "no row within 120 s:\n" + dynlog.stderrText());
          double total = (first - start) / 1e9;
          seconds.add(total);
          System.out.printf(
              Locale.ROOT,
              "time to first row, run %d: %.2f s (attached after %.2f s) on %s (%d MB)%n",
              run + 1,
              total,
              (attached - start) / 1e9,
              binary.getFileName(),
              Files.size(binary) >> 20);
        }
      }
    } finally {
      loop.destroy();
      new ProcessBuilder("pkill", "-f", binary + " --version").start().waitFor();
    }
    System.out.printf(
        Locale.ROOT,
        "time to first row: best %.2f s, median %.2f s%n",
        seconds.stream().mapToDouble(d -> d).min().orElseThrow(),
        seconds.stream().sorted().toList().get(seconds.size() / 2));
  }
}
