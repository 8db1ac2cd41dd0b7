package dev.dynlog.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.testing.GoVariant;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dynlog trace} end to end on the newest optimised Go target: goroutine crowds with stack
 * growth, recovered panics, a million traced calls the target never notices, clean detaching, and
 * one clear line for each kind of bad input.
 */
@Tag("bpf")
class TraceBehaviourIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PKG = "dynlog.dev/targets/";
  private static Path gotarget;

  @TempDir Path work;

  @BeforeAll
  static void build() {
    gotarget =
        Targets.build(new GoVariant(Targets.GO_VERSIONS.get(Targets.GO_VERSIONS.size() - 1), true));
  }

  /** 1,000 goroutines released at once, each growing its stack at entry and during the call. */
  @Test
  void thousandGoroutinesWithStackGrowthPairEveryResultWithItsCall() throws Exception {
    Run run =
        trace(
            List.of("-scenario=crowd", "-goroutines=1000", "-grow-depth=24"),
            PKG + "stress.Grow",
            "--capture",
            "id=id",
            "--capture",
            "depth=depth",
            "--capture",
            "r=$0",
            "--latency");
    Map<Long, JsonNode> byId = new HashMap<>();
    for (JsonNode t : run.truth) byId.put(t.path("args").path("id").asLong(), t);
    assertEquals(1000, byId.size(), "the target's own calls");
    assertEquals(1000, run.rows.size(), "one row per call; stderr:\n" + run.stderr);
    for (JsonNode row : run.rows) {
      JsonNode t = byId.remove(row.path("captures").path("id").asLong());
      assertTrue(t != null, "a row for a call that was not made or appears twice: " + row);
      assertEquals(
          t.path("args").path("depth"), row.path("captures").path("depth"), row.toString());
      assertEquals(
          t.path("results").path("~r0"),
          row.path("captures").path("r"),
          "result paired with its own call: " + row);
      assertEquals(t.path("goid").asLong(), row.path("goid").asLong(), "goroutine id: " + row);
      assertTrue(row.path("latency_ns").asLong() > 0, row.toString());
    }
    assertTrue(
        run.stderr.contains("1000 calls, 1000 rows"),
        "stack-growth restarts are not counted as calls:\n" + run.stderr);
  }

  /**
   * A panic recovered above the traced function skips its RET: no row for it, and later calls still
   * pair.
   */
  @Test
  void recoveredPanicsLeaveLaterCallsCorrect() throws Exception {
    Run run =
        trace(
            List.of("-scenario=panic", "-iterations=5"),
            PKG + "shop.MustPositive",
            "--capture",
            "n=n",
            "--capture",
            "r=$0",
            "--latency");
    List<JsonNode> returned = run.truth.stream().filter(t -> !t.has("panic")).toList();
    assertEquals(5, returned.size());
    assertEquals(5, run.truth.size() - returned.size(), "calls that panicked");
    assertEquals(
        returned.size(),
        run.rows.size(),
        "a row for each call that returned; stderr:\n" + run.stderr);
    for (int i = 0; i < returned.size(); i++) {
      assertEquals(
          returned.get(i).path("args").path("n"), run.rows.get(i).path("captures").path("n"));
      assertEquals(
          returned.get(i).path("results").path("~r0"), run.rows.get(i).path("captures").path("r"));
    }
  }

  /**
   * More than a million traced calls: the target's output and exit status are the same as without
   * tracing, every call is counted, and rows are thinned by the in-kernel rate limit.
   */
  @Test
  void targetNeverNoticesAMillionTracedCalls() throws Exception {
    List<String> args = List.of("-scenario=basic", "-iterations=100000", "-quiet");
    TargetProcess.ProcessOutput alone =
        TargetProcess.start(gotarget, args.toArray(String[]::new)).finishRaw(Duration.ofMinutes(2));
    assertEquals(0, alone.exitCode());

    String[] functions = {
      "shop.(*Service).Login",
      "shop.Sum",
      "shop.(*Service).Handle",
      "shop.(*Service).Lookup",
      "shop.Cart.Total",
      "shop.(*Cart).Add",
      "shop.Normalize"
    };
    StringBuilder spec = new StringBuilder();
    List<String> targetArgs = new ArrayList<>(args);
    targetArgs.add("-wait-stdin");
    try (TargetProcess target = TargetProcess.start(gotarget, targetArgs.toArray(String[]::new))) {
      target.awaitReady(Duration.ofSeconds(30));
      for (String f : functions) {
        spec.append("spec:\n  target: {pid: ")
            .append(target.pid())
            .append("}\n  function: '")
            .append(PKG)
            .append(f)
            .append(
                "'\n  latency: true\n  capture: [{name: a0, expr: '$0'}]\n  limits: {maxEventsPerSecond: 200}\n---\n");
      }
      Path file = work.resolve("million.yaml");
      Files.writeString(file, spec);
      try (DynlogCli dynlog =
          DynlogCli.start(work, "run", "-f", file.toString(), "--output", "jsonl")) {
        dynlog.awaitStderr("dynlog: tracing", functions.length, Duration.ofSeconds(60));
        target.release();
        TargetProcess.ProcessOutput traced = target.finishRaw(Duration.ofMinutes(10));
        assertEquals(alone.exitCode(), traced.exitCode(), "exit status with and without tracing");
        assertEquals(alone.stdoutLines(), traced.stdoutLines(), "output with and without tracing");
        assertEquals(0, dynlog.await(Duration.ofSeconds(60)));
        String err = dynlog.stderrText();
        JsonNode summary =
            JSON.readTree(traced.stdoutLines().get(traced.stdoutLines().size() - 1))
                .path("summary")
                .path("calls");
        long total = 0;
        Pattern counted = Pattern.compile("detached (\\S+) \\((\\d+) calls, (\\d+) rows");
        Matcher m = counted.matcher(err);
        int seen = 0;
        while (m.find()) {
          long calls = Long.parseLong(m.group(2));
          assertEquals(
              summary.path(m.group(1)).asLong(),
              calls,
              "calls counted in the kernel for " + m.group(1));
          assertTrue(Long.parseLong(m.group(3)) < calls, "rate limit thins rows of " + m.group(1));
          total += calls;
          seen++;
        }
        assertEquals(functions.length, seen, err);
        assertTrue(total >= 1_000_000, "traced calls: " + total);
        System.out.println(
            "traced " + total + " calls; target output identical with and without tracing");
      }
    }
  }

  /**
   * After dynlog detaches, no uprobe, perf event or BPF link of its programs remains in the kernel.
   */
  @Test
  void detachingLeavesNothingBehind() throws Exception {
    try (TargetProcess target =
        TargetProcess.start(
            gotarget,
            "-scenario=basic",
            "-iterations=0",
            "-duration=30s",
            "-sleep=10ms",
            "-quiet")) {
      target.awaitReady(Duration.ofSeconds(30));
      List<String> before = dynlogProgramIds();
      try (DynlogCli dynlog =
          DynlogCli.start(
              work,
              "trace",
              "--pid",
              Long.toString(target.pid()),
              PKG + "shop.Sum",
              "--capture",
              "u=l.Units",
              "--latency",
              "--duration",
              "3s",
              "--output",
              "jsonl")) {
        dynlog.awaitStderr("dynlog: tracing", 1, Duration.ofSeconds(60));
        List<String> ids = new ArrayList<>(dynlogProgramIds());
        ids.removeAll(before);
        assertFalse(
            ids.isEmpty(),
            "while tracing, bpftool lists dynlog's programs:\n" + bpftool("prog", "list"));
        assertTrue(
            attachedTo(bpftool("perf", "list"), ids),
            "while tracing, dynlog's uprobes are attached");
        assertEquals(0, dynlog.await(Duration.ofSeconds(30)));
        assertFalse(dynlog.stdoutLines().isEmpty(), "rows while tracing");
        String perf = bpftool("perf", "list");
        String links = bpftool("link", "list");
        assertFalse(attachedTo(perf, ids), "uprobes left after detaching:\n" + perf);
        assertFalse(attachedTo(links, ids), "links left after detaching:\n" + links);
        String progs = bpftool("prog", "list");
        for (String id : ids)
          assertFalse(
              progs.matches("(?s).*(?m:^" + id + ": ).*"),
              "program " + id + " left after exiting:\n" + progs);
      }
      target.terminate();
    }
  }

  /** SIGTERM (as Ctrl-C) stops tracing cleanly: exit 0, rows flushed, the summary printed. */
  @Test
  void sigtermDetachesCleanly() throws Exception {
    try (TargetProcess target =
        TargetProcess.start(
            gotarget,
            "-scenario=basic",
            "-iterations=0",
            "-duration=30s",
            "-sleep=5ms",
            "-quiet")) {
      target.awaitReady(Duration.ofSeconds(30));
      try (DynlogCli dynlog =
          DynlogCli.start(
              work,
              "trace",
              "--pid",
              Long.toString(target.pid()),
              PKG + "shop.(*Service).Login",
              "--capture",
              "user=username",
              "--output",
              "jsonl")) {
        dynlog.awaitStderr("dynlog: tracing", 1, Duration.ofSeconds(60));
        Thread.sleep(1500);
        dynlog.process.destroy(); // SIGTERM
        int exit = dynlog.await(Duration.ofSeconds(30));
        assertTrue(exit == 0 || exit == 143, "exit status after SIGTERM: " + exit);
        assertTrue(dynlog.stderrText().contains("detached"), dynlog.stderrText());
        assertFalse(dynlog.stdoutLines().isEmpty());
        for (String line : dynlog.stdoutLines())
          assertTrue(JSON.readTree(line).path("captures").path("user").isTextual(), line);
      }
      assertTrue(Files.isDirectory(Path.of("/proc/" + target.pid())), "the target keeps running");
      target.terminate();
    }
  }

  @Test
  void badInputGetsOneClearLineAndNonZeroExit() throws Exception {
    Path stripped = work.resolve("stripped");
    Files.copy(gotarget, stripped);
    assertEquals(
        0, new ProcessBuilder("strip", "--strip-debug", stripped.toString()).start().waitFor());
    String sum = PKG + "shop.Sum";
    expectError(List.of("trace", "--pid", "999999", sum), "no process with pid 999999");
    expectError(List.of("trace", "--executable", stripped.toString(), sum), "debug");
    expectError(
        List.of("trace", "--executable", gotarget.toString(), PKG + "shop.Summ"), PKG + "shop.Sum");
    expectError(
        List.of("trace", "--executable", gotarget.toString(), sum, "--capture", "x=l.Unit"),
        "Units");
    expectError(
        List.of("trace", "--executable", gotarget.toString(), sum, "--capture", "x=l..Units"), "x");
    expectError(
        List.of("trace", "--executable", work.resolve("nope").toString(), sum),
        "no such executable");
    // not root: the same command as an unprivileged user, on a copy of the target it may read
    Path open = Files.createTempDirectory(Path.of("/tmp"), "dynlog-nobody");
    Path readable = open.resolve("gotarget");
    Files.copy(gotarget, readable);
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<String> asNobody =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                DynlogCli.javaBinary(),
                "-jar",
                DynlogCli.jar().toAbsolutePath().toString(),
                "trace",
                "--executable",
                readable.toString(),
                sum));
    try (DynlogCli dynlog = DynlogCli.start(work, asNobody)) {
      int exit = dynlog.await(Duration.ofSeconds(60));
      String err = dynlog.stderrText().strip();
      assertTrue(exit != 0, "exit status as non-root");
      assertEquals(1, err.lines().count(), "one line:\n" + err);
      assertTrue(err.contains("root"), err);
    }
    // DYNLOG_DEBUG adds libbpf's own log and the stack trace to the same error
    List<String> debug = new ArrayList<>(List.of("env", "DYNLOG_DEBUG=1"));
    debug.addAll(asNobody);
    try (DynlogCli dynlog = DynlogCli.start(work, debug)) {
      int exit = dynlog.await(Duration.ofSeconds(60));
      String err = dynlog.stderrText().strip();
      assertTrue(exit != 0, "exit status as non-root");
      assertTrue(err.lines().findFirst().orElse("").contains("root"), err);
      assertTrue(err.lines().anyMatch(l -> l.startsWith("libbpf: ")), "libbpf's log:\n" + err);
      assertTrue(err.contains("at dev.dynlog."), "the stack trace:\n" + err);
    }
  }

  private void expectError(List<String> args, String mentions) throws Exception {
    try (DynlogCli dynlog = DynlogCli.start(work, args.toArray(String[]::new))) {
      int exit = dynlog.await(Duration.ofSeconds(60));
      String err = dynlog.stderrText().strip();
      assertTrue(exit != 0, args + ": exit status " + exit);
      assertEquals(1, err.lines().count(), args + ": one line expected:\n" + err);
      assertTrue(
          err.contains(mentions), args + ": the line should mention '" + mentions + "':\n" + err);
    }
  }

  /** Ids of the loaded BPF programs named dynlog_*. */
  private static List<String> dynlogProgramIds() throws Exception {
    List<String> ids = new ArrayList<>();
    Matcher m =
        Pattern.compile("(?m)^(\\d+): \\S+\\s+name dynlog_\\w+").matcher(bpftool("prog", "list"));
    while (m.find()) ids.add(m.group(1));
    return ids;
  }

  private static boolean attachedTo(String listing, List<String> progIds) {
    for (String id : progIds) {
      if (Pattern.compile("prog_id " + id + "\\b|prog " + id + "\\b").matcher(listing).find())
        return true;
    }
    return false;
  }

  private static String bpftool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bpftool"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), "bpftool " + String.join(" ", args) + ":\n" + out);
    return out;
  }

  private record Run(List<JsonNode> truth, List<JsonNode> rows, String stderr) {}

  /** Traces one function of the Go target from its first call to its exit. */
  private Run trace(List<String> targetArgs, String function, String... traceArgs)
      throws Exception {
    List<String> args = new ArrayList<>(targetArgs);
    args.add("-wait-stdin");
    try (TargetProcess target = TargetProcess.start(gotarget, args.toArray(String[]::new))) {
      target.awaitReady(Duration.ofSeconds(30));
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "trace", "--pid", Long.toString(target.pid()), function, "--output", "jsonl"));
      cmd.addAll(List.of(traceArgs));
      try (DynlogCli dynlog = DynlogCli.start(work, cmd.toArray(String[]::new))) {
        dynlog.awaitStderr("dynlog: tracing", 1, Duration.ofSeconds(60));
        target.release();
        TargetProcess.ProcessOutput out = target.finishRaw(Duration.ofMinutes(3));
        assertEquals(0, out.exitCode(), out.stderr());
        assertEquals(0, dynlog.await(Duration.ofSeconds(60)), dynlog.stderrText());
        List<JsonNode> truth = new ArrayList<>();
        for (String line : out.stdoutLines()) {
          JsonNode t = JSON.readTree(line);
          if (function.equals(t.path("fn").asText())) truth.add(t);
        }
        List<JsonNode> rows = new ArrayList<>();
        for (String line : dynlog.stdoutLines()) rows.add(JSON.readTree(line));
        return new Run(truth, rows, dynlog.stderrText());
      }
    }
  }
}
