package dev.dynlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dynlog.store.StoreConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The row-buffer options of {@code dynlog trace} and {@code dynlog run}: a budget for all
 * tracepoints together besides the per-tracepoint bounds, and mistakes named in the options' words
 * before anything is resolved or attached.
 */
class StoreOptionsTest {

  @TempDir Path dir;

  private static StoreConfig parse(String... options) {
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs(options);
    return run.store.config();
  }

  @Test
  void totalBudgetDefaultsTo256MiBAndIsAFlag() {
    StoreConfig d = parse("-f", "x.yaml");
    assertEquals(256L << 20, d.totalBytes());
    assertEquals(64L << 20, d.bufferBytes());
    assertEquals(Duration.ofMinutes(15), d.retention());
    StoreConfig c = parse("-f", "x.yaml", "--buffer-total-bytes", "33554432");
    assertEquals(32L << 20, c.totalBytes());
    assertEquals(32L << 20, c.bufferBytes(), "a buffer is never bound above the total");
    TraceCommand trace = new TraceCommand();
    new CommandLine(trace).parseArgs("--pid", "1", "main.F", "--buffer-total-bytes", "2097152");
    assertEquals(2L << 20, trace.store.config().totalBytes(), "dynlog trace has it too");
  }

  /** Refused in the flag's words, before the spec's target is looked at. */
  @Test
  void badValuesNameTheFlag() throws Exception {
    Path spec = dir.resolve("tp.yaml");
    // no such process: should the options pass by mistake, nothing is traced
    Files.writeString(spec, "spec: {target: {pid: 2147483647}, function: main.F}\n");
    String[][] cases = {
      {"--buffer-total-bytes", "5", "--buffer-total-bytes must be at least 1048576 (1 MiB), got 5"},
      {"--buffer-bytes", "1000", "--buffer-bytes must be at least 65536 (64 KiB), got 1000"},
      {"--buffer-rows", "0", "--buffer-rows must be at least 1, got 0"},
    };
    for (String[] c : cases) {
      StringWriter err = new StringWriter();
      CommandLine cmd = Main.commandLine(false).setErr(new PrintWriter(err));
      assertEquals(1, cmd.execute("run", "-f", spec.toString(), c[0], c[1]));
      assertEquals("dynlog run: " + c[2] + System.lineSeparator(), err.toString());
    }
  }
}
