package dev.dynlog.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile or huge input to {@code dynlog run -f}, through the packaged jar as a user runs it: a
 * device, a directory, a 50 MB file of 375,000 documents, 1,000 tracepoints on hot functions and
 * random spec files each give one line on stderr (no stack trace) and exit 1 promptly with a small
 * peak RSS ({@code VmHWM} of the dynlog process, sampled while it runs); and many tracepoints on a
 * hot function keep all their rows within {@code --buffer-total-bytes}, and hostile queries to
 * their agent are answered 400. Figures are printed.
 */
@Tag("bpf")
class InputBoundsIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A refusal must come this fast (a JVM starts in about a second here). */
  private static final Duration PROMPT = Duration.ofSeconds(15);

  /** A refusal must not need more than this resident memory (the idle JVM takes about 75 MB). */
  private static final long SMALL_RSS_KB = 256 * 1024;

  private static TargetProcess target;

  @TempDir Path work;

  /** The tracer tests' program calling {@code main.F} every millisecond until it is stopped. */
  @BeforeAll
  static void startHotTarget() {
    target = TargetProcess.startPlain(Targets.buildTraceTarget(), "loop");
    target.release();
  }

  @AfterAll
  static void stopTarget() {
    if (target != null) target.close();
  }

  /** How one run ended: exit status, stderr, wall time, the largest VmHWM seen. */
  record Outcome(int exit, String stderr, double seconds, long peakRssKb) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "exit %d in %.1f s, VmHWM %d MB: %s",
          exit,
          seconds,
          peakRssKb / 1024,
          stderr.strip());
    }
  }

  /** Runs dynlog to its end (at most {@code limit}), sampling its peak RSS every 20 ms. */
  private Outcome run(Duration limit, String... args) throws Exception {
    long t0 = System.nanoTime();
    try (DynlogCli dynlog = DynlogCli.start(work, args)) {
      long peak = 0;
      long deadline = t0 + limit.toNanos();
      while (dynlog.process.isAlive() && System.nanoTime() < deadline) {
        peak = Math.max(peak, vmHwmKb(dynlog.process.pid()));
        Thread.sleep(20);
      }
      int exit = dynlog.await(Duration.ofSeconds(1));
      return new Outcome(exit, dynlog.stderrText(), (System.nanoTime() - t0) / 1e9, peak);
    }
  }

  /** The process's peak resident set size in kB, or 0 once it has exited. */
  static long vmHwmKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", ""));
      }
    } catch (IOException | NumberFormatException gone) {
      // exited between two samples
    }
    return 0;
  }

  /** One line naming the problem, exit status 1, promptly, in little memory. */
  private static void refusedInOneLine(String what, Outcome o, String expected) {
    System.out.println("InputBoundsIT " + what + ": " + o);
    assertEquals(1, o.exit(), what + ": " + o);
    assertEquals(1, o.stderr().lines().count(), what + ": one line: " + o.stderr());
    assertTrue(o.stderr().startsWith("dynlog run: "), o.stderr());
    assertTrue(o.stderr().contains(expected), what + ": expected '" + expected + "': " + o);
    assertFalse(o.stderr().contains("Exception") || o.stderr().contains("\tat "), o.stderr());
    assertTrue(o.seconds() < PROMPT.toSeconds(), what + " took " + o.seconds() + " s");
    assertTrue(o.peakRssKb() > 0, what + ": RSS sampled");
    assertTrue(o.peakRssKb() < SMALL_RSS_KB, what + ": VmHWM " + o.peakRssKb() + " kB");
  }

  @Test
  void aDeviceADirectoryAndAHugeFileAreRefusedInOneLine() throws Exception {
    refusedInOneLine(
        "/dev/zero", run(PROMPT, "run", "-f", "/dev/zero"), "/dev/zero: is not a regular file");
    Path dir = Files.createDirectory(work.resolve("specs"));
    refusedInOneLine(
        "a directory", run(PROMPT, "run", "-f", dir.toString()), "is a directory, not a spec file");

    Path big = work.resolve("many.yaml");
    int docs = 0;
    try (BufferedWriter w = Files.newBufferedWriter(big, StandardCharsets.UTF_8)) {
      for (; docs < 375_000; docs++) {
        w.write("---\nmetadata: {name: t" + docs + "}\n");
        w.write("spec: {target: {pid: " + target.pid() + "}, function: main.F, ttl: 10m}\n");
        w.write("#" + "-".repeat(46) + "\n");
      }
    }
    long size = Files.size(big);
    assertTrue(size > 50_000_000, "a 50 MB file: " + size);
    refusedInOneLine(
        "a " + size / 1_000_000 + " MB file of " + docs + " documents",
        run(PROMPT, "run", "-f", big.toString()),
        "is " + size + " bytes; a spec file may have at most 1048576 bytes (1 MiB)");
  }

  /** Refused before anything is resolved or attached: no "tracing" line, no uprobe. */
  @Test
  void aThousandTracepointsOnHotFunctionsAreRefusedBeforeAnythingIsAttached() throws Exception {
    List<String> hot = List.of("main.F", "main.Fib", "main.Grow", "main.Bench", "main.G");
    for (int count : new int[] {1_000, 513}) {
      Path spec = work.resolve("tp" + count + ".yaml");
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < count; i++) {
        sb.append("---\nmetadata: {name: t").append(i).append("}\nspec:\n");
        sb.append("  target: {pid: ").append(target.pid()).append("}\n");
        sb.append("  function: ").append(hot.get(i % hot.size())).append('\n');
        sb.append("  latency: true\n  limits: {maxEventsPerSecond: 100000}\n");
      }
      Files.writeString(spec, sb.toString());
      Outcome o = run(PROMPT, "run", "-f", spec.toString(), "--http", "127.0.0.1:0");
      refusedInOneLine(
          count + " tracepoints", o, "more than 512 tracepoints (the next one is document 513");
      assertFalse(o.stderr().contains("tracing"), "nothing was attached: " + o.stderr());
    }
  }

  /**
   * Random spec files (random bytes, random nesting, mutations of a valid spec whose target does
   * not exist) through the jar: never a stack trace.
   */
  @Test
  void randomSpecFilesNeverGiveAStackTrace() throws Exception {
    Random random = new Random(0xd1_10);
    String valid =
        "metadata: {name: fuzz}\nspec:\n  target: {executable: /nonexistent/dynlog-fuzz}\n"
            + "  function: main.F\n  capture: [{name: a, expr: a.b}]\n  ttl: 10m\n"
            + "  metricLabels: [{capture: a}]\n";
    String specials = ":-[]{}&*!|>'\"%@`#,?\\ \n\t\u0000$~";
    String[] fields = {"name: fuzz", "function: main.F", "expr: a.b", "ttl: 10m", "name: a"};
    String[] units = {"1s", "a", "a.", "(", "x"};
    for (int i = 0; i < 16; i++) {
      byte[] input;
      switch (i % 4) {
        case 0 -> {
          input = new byte[random.nextInt(3000)];
          random.nextBytes(input);
        }
        case 1 -> {
          StringBuilder sb = new StringBuilder(valid);
          for (int e = 0; e < 3; e++) {
            int at = random.nextInt(sb.length());
            if (random.nextBoolean())
              sb.insert(at, specials.charAt(random.nextInt(specials.length())));
            else sb.insert(at, sb.substring(at, Math.min(sb.length(), at + 30)).repeat(200));
          }
          input = sb.toString().getBytes(StandardCharsets.UTF_8);
        }
        case 2 -> {
          String field = fields[random.nextInt(fields.length)];
          String key = field.substring(0, field.indexOf(':'));
          String value = units[random.nextInt(units.length)].repeat(2_000 + random.nextInt(50_000));
          input =
              valid.replace(field, key + ": \"" + value + "\"").getBytes(StandardCharsets.UTF_8);
        }
        default -> {
          int depth = 1 + random.nextInt(200);
          String open = random.nextBoolean() ? "[" : "{a: ";
          String close = open.equals("[") ? "]" : "}";
          input = ("spec: " + open.repeat(depth) + "x" + close.repeat(depth) + "\n").getBytes();
        }
      }
      Path f = work.resolve("fuzz-" + i + ".yaml");
      Files.write(f, input);
      Outcome o = run(PROMPT, "run", "-f", f.toString());
      System.out.println("InputBoundsIT fuzz " + i + ": " + o);
      assertEquals(1, o.exit(), "case " + i + ": " + o);
      assertEquals(1, o.stderr().lines().count(), "case " + i + ": " + o.stderr());
      assertTrue(o.stderr().length() < 600, "case " + i + ": " + o.stderr().length() + " chars");
      assertFalse(o.stderr().contains("Exception") || o.stderr().contains("\tat "), o.stderr());
      assertTrue(o.seconds() < PROMPT.toSeconds(), "case " + i + " took " + o.seconds() + " s");
    }
  }

  /**
   * 32 tracepoints on a function called every millisecond, each allowed 64 MiB of rows, share a 4
   * MiB budget: their buffers together stay within it, every tracepoint keeps rows, and the evicted
   * rows are counted.
   */
  @Test
  void manyTracepointsShareTheBufferBudget() throws Exception {
    int count = 32;
    long budget = 4L << 20;
    Path spec = work.resolve("budget.yaml");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append("---\nmetadata: {name: t").append(i).append("}\nspec:\n");
      sb.append("  target: {pid: ").append(target.pid()).append("}\n  function: main.F\n");
      sb.append("  capture: [{name: a, expr: a}, {name: s, expr: s}]\n  latency: true\n");
      sb.append("  limits: {maxEventsPerSecond: 100000}\n");
    }
    Files.writeString(spec, sb.toString());
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (DynlogCli dynlog =
        DynlogCli.start(
            work,
            "run",
            "-f",
            spec.toString(),
            "--output",
            "jsonl",
            "--http",
            "127.0.0.1:" + port,
            "--buffer-total-bytes",
            Long.toString(budget))) {
      long t0 = System.nanoTime();
      dynlog.awaitStderr("dynlog: tracing", count, Duration.ofMinutes(3));
      double attachSeconds = (System.nanoTime() - t0) / 1e9;
      long peak = 0;
      JsonNode list = null;
      long evicted = 0;
      for (int i = 0; i < 200 && evicted < 100_000; i++) { // until the budget was full many times
        Thread.sleep(100);
        peak = Math.max(peak, vmHwmKb(dynlog.process.pid()));
        if (i % 10 == 9) {
          list = JSON.readTree(get("http://127.0.0.1:" + port + "/api/v1/tracepoints"));
          evicted = 0;
          for (JsonNode tp : list.path("tracepoints"))
            evicted += tp.path("counts").path("dropped").path("buffer_evicted").asLong();
        }
      }
      list = JSON.readTree(get("http://127.0.0.1:" + port + "/api/v1/tracepoints"));
      long bytes = 0;
      long rows = 0;
      long received = 0;
      long fewest = Long.MAX_VALUE;
      evicted = 0;
      assertEquals(count, list.path("tracepoints").size());
      for (JsonNode tp : list.path("tracepoints")) {
        bytes += tp.path("buffer").path("bytes").asLong();
        rows += tp.path("buffer").path("rows").asLong();
        fewest = Math.min(fewest, tp.path("buffer").path("rows").asLong());
        received += tp.path("counts").path("rows_received").asLong();
        evicted += tp.path("counts").path("dropped").path("buffer_evicted").asLong();
        assertEquals(budget, tp.path("buffer").path("max_bytes").asLong(), "capped by the total");
      }
      // hostile queries to the same agent: a 400 with one short line, never a dead worker
      String events = "http://127.0.0.1:" + port + "/api/v1/tracepoints/t0/events?";
      String deep = "where=a" + ".a".repeat(3_000) + "%3D1";
      HttpResponse<String> r = send(events + deep);
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(r.body().contains("6003 characters long; at most 1024"), r.body());
      assertTrue(r.body().length() < 300, r.body());
      r = send(events + "limit=99999999999");
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(r.body().contains("limit must be at most 1000000, got 99999999999"), r.body());
      assertEquals(200, send(events + "limit=1").statusCode(), "the agent still answers");
      peak = Math.max(peak, vmHwmKb(dynlog.process.pid()));
      long t1 = System.nanoTime();
      dynlog.process.destroy();
      dynlog.await(Duration.ofSeconds(60));
      System.out.printf(
          Locale.ROOT,
          "InputBoundsIT budget: %d tracepoints attached in %.1f s; %d rows received, %d buffered"
              + " in %d bytes (budget %d), %d evicted, fewest rows %d; VmHWM %d MB;"
              + " exit %.1f s after SIGTERM%n",
          count,
          attachSeconds,
          received,
          rows,
          bytes,
          budget,
          evicted,
          fewest,
          peak / 1024,
          (System.nanoTime() - t1) / 1e9);
      assertTrue(bytes <= budget, bytes + " bytes buffered > budget " + budget);
      assertTrue(evicted > 0, "the budget was reached: " + received + " rows received");
      assertTrue(fewest > 0, "every tracepoint keeps rows");
    }
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> r = send(url);
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  private static HttpResponse<String> send(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
