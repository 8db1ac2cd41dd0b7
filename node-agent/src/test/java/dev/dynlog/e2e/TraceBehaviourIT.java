package dev.dynlog.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.testing.ElfVariant;
import dev.dynlog.testing.GoVariant;
import dev.dynlog.testing.TargetBinary;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dynlog trace} end to end on the newest optimised Go target: goroutine crowds with stack
 * growth, recovered panics, a million traced calls the target never notices, clean detaching, a
 * duration's and a ttl's end, a debug file beside a process's executable, and one clear line for
 * each kind of bad input.
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
              "5s",
              "--output",
              "jsonl")) {
        dynlog.awaitStderr("dynlog: tracing", 1, Duration.ofSeconds(60));
        List<String> ids = new ArrayList<>(dynlogProgramIds());
        ids.removeAll(before);
        assertFalse(
            ids.isEmpty(),
            "while tracing, bpftool lists dynlog's programs:\n" + bpftool("prog", "list"));
        assertTrue(
            attachedTo(bpftool("perf", "list") + bpftool("link", "list"), ids),
            "while tracing, dynlog's uprobes are attached");
        assertEquals(0, dynlog.await(Duration.ofSeconds(30)));
        assertFalse(dynlog.stdoutLines().isEmpty(), "rows while tracing");
        // uprobe_multi links and their programs are freed after an RCU grace period: shortly
        // after the process exits, not during it
        long deadline = System.nanoTime() + 10_000_000_000L;
        String perf, links, progs;
        while (true) {
          perf = bpftool("perf", "list");
          links = bpftool("link", "list");
          progs = bpftool("prog", "list");
          boolean left = attachedTo(perf, ids) || attachedTo(links, ids);
          for (String id : ids) left |= progs.matches("(?s).*(?m:^" + id + ": ).*");
          if (!left || System.nanoTime() > deadline) break;
          Thread.sleep(50);
        }
        assertFalse(attachedTo(perf, ids), "uprobes left after detaching:\n" + perf);
        assertFalse(attachedTo(links, ids), "links left after detaching:\n" + links);
        for (String id : ids)
          assertFalse(
              progs.matches("(?s).*(?m:^" + id + ": ).*"),
              "program " + id + " left 10 s after exiting:\n" + progs);
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
    List<String> asNobody = new ArrayList<>(nobody());
    asNobody.addAll(List.of("trace", "--executable", readable.toString(), sum));
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
    Files.delete(readable);
    Files.delete(open);
  }

  /**
   * Targets that cannot be traced are named for what they are, in the words the issue asks for:
   * never a Java exception's name.
   */
  @Test
  void untraceableTargetsAreNamedForWhatTheyAre() throws Exception {
    String sum = PKG + "shop.Sum";
    long kthread = kernelThread();
    expectExact(
        List.of("trace", "--pid", Long.toString(kthread), sum),
        "dynlog trace: pid " + kthread + " is a kernel thread (no executable to trace)");
    Path spec = work.resolve("kthread.yaml");
    Files.writeString(spec, "spec:\n  target: {pid: " + kthread + "}\n  function: '" + sum + "'\n");
    expectExact(
        List.of("run", "-f", spec.toString()),
        "dynlog run: pid " + kthread + " is a kernel thread (no executable to trace)");
    expectExact(
        List.of("trace", "--pid", "0", sum),
        "dynlog trace: --pid must be a positive process id, not 0");
    Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & exec sleep 120").start();
    try {
      long zombie = zombieChildOf(parent.pid());
      expectExact(
          List.of("trace", "--pid", Long.toString(zombie), sum),
          "dynlog trace: pid "
              + zombie
              + " is a zombie: it has exited and only waits for its parent to collect its status;"
              + " there is nothing left to trace");
    } finally {
      parent.destroy();
      parent.waitFor();
    }
    expectExact(
        List.of("trace", "--executable", work.toString(), sum),
        "dynlog trace: " + work + " is not a regular file (it is a directory)");
    expectExact(
        List.of("trace", "--executable", "/dev/zero", sum),
        "dynlog trace: /dev/zero is not a regular file (it is a character device)");
    expectExact(
        List.of("inspect", work.toString()),
        "dynlog inspect: " + work + " is not a regular file (it is a directory)");
    for (String d : List.of("0", "0s", "1ns")) {
      expectExact(
          List.of("trace", "--pid", "1", sum, "--duration", d),
          "dynlog trace: --duration must be from 5s to 24h (a Tracepoint's ttl), not " + d);
    }
    expectExact(
        List.of("trace", "--pid", "1", sum, "--max-string-bytes", "100000"),
        "dynlog trace: --max-string-bytes must be from 1 to 512, not 100000");
    expectExact(
        List.of("events", "login", "--agent", "nonsense"),
        "dynlog events: --agent 'nonsense' is not a URL; write http://HOST:PORT,"
            + " e.g. http://127.0.0.1:9464");
    // another user's process, as an unprivileged user
    try (TargetProcess target =
        TargetProcess.start(gotarget, "-scenario=basic", "-iterations=1", "-wait-stdin")) {
      target.awaitReady(Duration.ofSeconds(30));
      List<String> cmd = new ArrayList<>(nobody());
      cmd.addAll(List.of("trace", "--pid", Long.toString(target.pid()), sum));
      expectExact(
          cmd,
          "dynlog trace: permission denied reading /proc/"
              + target.pid()
              + "/exe (run as root or grant CAP_SYS_PTRACE)");
      target.terminate();
    }
    // a binary only root may read, inspected as an unprivileged user
    Path shared = Files.createTempDirectory(Path.of("/tmp"), "dynlog-private");
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path secret = Files.copy(gotarget, shared.resolve("gotarget"));
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rwx------"));
    List<String> inspect = new ArrayList<>(nobody());
    inspect.addAll(List.of("inspect", secret.toString()));
    try {
      expectExact(
          inspect,
          "dynlog inspect: permission denied reading "
              + secret
              + " (run dynlog as a user who may read it)");
    } finally {
      Files.delete(secret);
      Files.delete(shared);
    }
  }

  /** A Go binary without DWARF is told Go's remedy (not the C compiler's -g) and where to look. */
  @Test
  void aStrippedGoBinaryIsToldGosRemedy() throws Exception {
    Path stripped = work.resolve("stripped");
    Files.copy(gotarget, stripped);
    assertEquals(
        0, new ProcessBuilder("strip", "--strip-debug", stripped.toString()).start().waitFor());
    Process readelf = new ProcessBuilder("readelf", "-n", stripped.toString()).start();
    String notes = new String(readelf.getInputStream().readAllBytes());
    assertEquals(0, readelf.waitFor(), notes);
    Matcher m = Pattern.compile("Build ID: ([0-9a-f]+)").matcher(notes);
    assertTrue(m.find(), "the Go target carries a GNU build-id:\n" + notes);
    String id = m.group(1);
    expectExact(
        List.of("trace", "--executable", stripped.toString(), PKG + "shop.Sum"),
        "dynlog trace: "
            + stripped
            + " has no DWARF debug information (.debug_info); looked for a separate debug file by"
            + " build-id "
            + id
            + " under [/usr/lib/debug]. It is a Go binary built without DWARF: build it without"
            + " -ldflags=-s or -w and do not strip it (go build keeps DWARF by default), or put its"
            + " debug file (objcopy --only-keep-debug) at /usr/lib/debug/.build-id/"
            + id.substring(0, 2)
            + "/"
            + id.substring(2)
            + ".debug; debuginfod-find debuginfo "
            + id
            + " fetches it from a debuginfod server.");
  }

  /**
   * A stripped C++ program with its debug file beside it (.gnu_debuglink), traced by pid: the debug
   * file is found beside the executable, and every row equals the program's own record.
   */
  @Test
  void theDebugFileBesideAProcesssExecutableIsUsed() throws Exception {
    TargetBinary built = Targets.build(ElfVariant.CPP_DEBUGLINK);
    Path dir = Files.createDirectories(work.resolve("app"));
    Path bin =
        Files.copy(built.binary(), dir.resolve("cpptarget"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.copy(built.debugFile().orElseThrow(), dir.resolve("cpptarget.debug"));
    List<Check> checks = List.of(Check.arg("a"), Check.arg("b"), Check.result(0, "$0"));
    try (TargetProcess target =
        TargetProcess.start(bin, "-scenario=abi", "-iterations=3", "-wait-stdin")) {
      target.awaitReady(Duration.ofSeconds(30));
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "trace",
                  "--pid",
                  Long.toString(target.pid()),
                  "shop::addMoney",
                  "--output",
                  "jsonl"));
      for (Check c : checks) cmd.addAll(List.of("--capture", c.name() + "=" + c.expr()));
      try (DynlogCli dynlog = DynlogCli.start(work, cmd.toArray(String[]::new))) {
        dynlog.awaitStderr("dynlog: tracing", 1, Duration.ofSeconds(60));
        target.release();
        TargetProcess.ProcessOutput out = target.finishRaw(Duration.ofMinutes(2));
        assertEquals(0, out.exitCode(), out.stderr());
        assertEquals(0, dynlog.await(Duration.ofSeconds(60)), dynlog.stderrText());
        List<JsonNode> truth = new ArrayList<>();
        for (String line : out.stdoutLines()) {
          JsonNode t = JSON.readTree(line);
          if ("shop::addMoney".equals(t.path("fn").asText())) truth.add(t);
        }
        List<String> rows = dynlog.stdoutLines();
        assertEquals(3, truth.size(), "the target's own calls");
        assertEquals(
            truth.size(), rows.size(), "one row per call; stderr:\n" + dynlog.stderrText());
        for (int i = 0; i < rows.size(); i++) {
          JsonNode row = JSON.readTree(rows.get(i));
          for (Check c : checks) assertNull(c.compare(row, truth.get(i)), c.name() + ": " + row);
        }
      }
    }
  }

  /**
   * As docs/query-api.md says: a tracepoint whose --duration elapsed is {@code stopped}, one whose
   * ttl elapsed is {@code expired}.
   */
  @Test
  void aDurationStopsATracepointAndATtlExpiresIt() throws Exception {
    try (TargetProcess target =
        TargetProcess.start(
            gotarget,
            "-scenario=basic",
            "-iterations=0",
            "-duration=60s",
            "-sleep=10ms",
            "-quiet")) {
      target.awaitReady(Duration.ofSeconds(30));
      String pid = Long.toString(target.pid());
      int byDuration = freePort();
      int byTtl = freePort();
      Path spec = work.resolve("ttl.yaml");
      Files.writeString(
          spec,
          "metadata: {name: byttl}\nspec:\n  target: {pid: "
              + pid
              + "}\n  function: '"
              + PKG
              + "shop.Sum'\n  ttl: 5s\n");
      try (DynlogCli duration =
              DynlogCli.start(
                  work,
                  "trace",
                  "--pid",
                  pid,
                  PKG + "shop.Sum",
                  "--name",
                  "byduration",
                  "--duration",
                  "5s",
                  "--http",
                  "127.0.0.1:" + byDuration,
                  "--linger",
                  "60s",
                  "--output",
                  "jsonl");
          DynlogCli ttl =
              DynlogCli.start(
                  work,
                  "run",
                  "-f",
                  spec.toString(),
                  "--http",
                  "127.0.0.1:" + byTtl,
                  "--linger",
                  "60s",
                  "--output",
                  "jsonl")) {
        duration.awaitStderr("serving queries", 1, Duration.ofSeconds(90));
        ttl.awaitStderr("serving queries", 1, Duration.ofSeconds(90));
        assertTrue(
            duration.stderrText().contains("dynlog: duration of 5s elapsed; detached byduration"),
            duration.stderrText());
        assertTrue(
            ttl.stderrText().contains("dynlog: ttl of 5s elapsed; detached byttl"),
            ttl.stderrText());
        JsonNode stopped = get(byDuration, "byduration");
        assertEquals("stopped", stopped.path("state").asText(), stopped.toString());
        assertEquals("duration of 5s elapsed", stopped.path("stop_reason").asText());
        JsonNode expired = get(byTtl, "byttl");
        assertEquals("expired", expired.path("state").asText(), expired.toString());
        assertEquals("ttl of 5s elapsed", expired.path("stop_reason").asText());
      }
      target.terminate();
    }
  }

  private static JsonNode get(int port, String tracepoint) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + port + "/api/v1/tracepoints/" + tracepoint))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * The command prefix that runs the packaged dynlog as user nobody, from a copy of the jar that
   * nobody may read (the checkout may sit in a directory only root can enter, e.g. a mktemp -d).
   */
  private static List<String> nobody() throws IOException {
    if (nobodysJar == null) {
      Path dir = Files.createTempDirectory("dynlog-nobody");
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path jar = dir.resolve("dynlog.jar");
      Files.copy(DynlogCli.jar(), jar);
      Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
      nobodysJar = jar;
    }
    return List.of(
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        DynlogCli.javaBinary(),
        "-jar",
        nobodysJar.toString());
  }

  private static Path nobodysJar;

  /** A kernel thread's pid: /proc/PID/status says {@code Kthread: 1}. */
  private static long kernelThread() throws Exception {
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      procs
          .map(p -> p.getFileName().toString())
          .filter(n -> n.matches("\\d+"))
          .forEach(n -> pids.add(Long.parseLong(n)));
    }
    pids.sort(null);
    for (long pid : pids) {
      try {
        if (Files.readAllLines(Path.of("/proc/" + pid + "/status")).contains("Kthread:\t1"))
          return pid;
      } catch (IOException gone) {
        // exited meanwhile
      }
    }
    return fail("no kernel thread in /proc (none whose status says Kthread: 1)");
  }

  /** The child of {@code parent} once it is a zombie (State: Z in its status). */
  private static long zombieChildOf(long parent) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      Path children = Path.of("/proc/" + parent + "/task/" + parent + "/children");
      String list = Files.isRegularFile(children) ? Files.readString(children).strip() : "";
      if (!list.isEmpty()) {
        long child = Long.parseLong(list.split("\\s+")[0]);
        Path status = Path.of("/proc/" + child + "/status");
        if (Files.readAllLines(status).stream().anyMatch(l -> l.startsWith("State:\tZ")))
          return child;
      }
      Thread.sleep(20);
    }
    return fail("pid " + parent + " has no zombie child within 30 s");
  }

  /** The command fails with exactly this one line on stderr. */
  private void expectExact(List<String> args, String line) throws Exception {
    try (DynlogCli dynlog =
        args.get(0).equals("setpriv")
            ? DynlogCli.start(work, args)
            : DynlogCli.start(work, args.toArray(String[]::new))) {
      int exit = dynlog.await(Duration.ofSeconds(60));
      String err = dynlog.stderrText().strip();
      assertTrue(exit != 0, args + ": exit status " + exit);
      assertEquals(line, err, args.toString());
      assertFalse(err.contains("Exception"), err);
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
