package dev.dynlog.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.testing.CppVariant;
import dev.dynlog.testing.GoVariant;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code dynlog run} end to end, as a user runs it: the packaged jar traces a real target program
 * built by each pinned Go toolchain (optimised and {@code -N -l}) and each C++ compiler and
 * optimisation level, and every captured row must equal the call the target itself printed, value
 * for value. dynlog is attached before the target starts calling and stops by itself when the
 * target exits. The C++ target also throws an exception through a traced function: it must not
 * notice the return probes (no uretprobe trampoline in the unwinder's way).
 */
@Tag("bpf")
class TraceEndToEndIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  static Stream<GoVariant> goVariants() {
    return Targets.goVariants().stream();
  }

  static Stream<CppVariant> cppVariants() {
    return Targets.cppVariants().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goVariants")
  void goRowsEqualGroundTruth(GoVariant variant) throws Exception {
    Path binary = Targets.build(variant);
    traceAndCompare(binary, Probe.GO, "-scenario=basic,abi,recursion", "-iterations=2", "-fib=6");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cppVariants")
  void cppRowsEqualGroundTruth(CppVariant variant) throws Exception {
    Path binary = Targets.build(variant);
    traceAndCompare(binary, Probe.CPP, "-scenario=basic,abi,recursion,throw", "-iterations=2");
  }

  private void traceAndCompare(Path binary, List<Probe> probes, String... targetArgs)
      throws Exception {
    List<String> args = new ArrayList<>(List.of(targetArgs));
    args.add("-wait-stdin");
    try (TargetProcess target = TargetProcess.start(binary, args.toArray(String[]::new))) {
      target.awaitReady(Duration.ofSeconds(30));
      Path spec = work.resolve("tracepoints.yaml");
      Files.writeString(spec, spec(probes, target.pid()));
      try (DynlogCli dynlog =
          DynlogCli.start(work, "run", "-f", spec.toString(), "--output", "jsonl")) {
        dynlog.awaitStderr("dynlog: tracing", probes.size(), Duration.ofSeconds(90));
        target.release();
        TargetProcess.ProcessOutput truthOut = target.finishRaw(Duration.ofSeconds(120));
        assertEquals(0, truthOut.exitCode(), "target exit status; stderr:\n" + truthOut.stderr());
        int exit = dynlog.await(Duration.ofSeconds(60));
        String err = dynlog.stderrText();
        assertEquals(0, exit, "dynlog exit status when the target exits; stderr:\n" + err);
        assertTrue(
            err.contains("process " + target.pid() + " exited"),
            "dynlog says the target exited:\n" + err);
        compare(probes, truthOut.stdoutLines(), dynlog.stdoutLines(), err);
      }
    }
  }

  private static String spec(List<Probe> probes, long pid) {
    StringBuilder y = new StringBuilder();
    for (Probe p : probes) {
      y.append("apiVersion: dynlog.dev/v1alpha1\nkind: Tracepoint\nmetadata:\n  name: ")
          .append(p.name())
          .append("\nspec:\n  target:\n    pid: ")
          .append(pid)
          .append("\n  function: '")
          .append(p.function())
          .append("'\n  latency: true\n  ttl: 5m\n")
          // every call must have its row: no rate limit in effect (the default is 100 rows/s)
          .append("  limits: {maxEventsPerSecond: 100000}\n  capture:\n");
      for (Check c : p.checks()) {
        y.append("    - name: '")
            .append(c.name())
            .append("'\n      expr: '")
            .append(c.expr())
            .append("'\n");
      }
      y.append("---\n");
    }
    return y.toString();
  }

  /**
   * Every call the target made is one row, in the same order per function, equal value for value.
   */
  private static void compare(
      List<Probe> probes, List<String> truthLines, List<String> rowLines, String stderr)
      throws Exception {
    Map<Probe, List<JsonNode>> truth = new LinkedHashMap<>();
    Map<Probe, List<JsonNode>> rows = new LinkedHashMap<>();
    for (Probe p : probes) {
      truth.put(p, new ArrayList<>());
      rows.put(p, new ArrayList<>());
    }
    for (String line : truthLines) {
      JsonNode t = JSON.readTree(line);
      // A call that threw or panicked never returns, so it has no row: the target must survive it.
      if (!t.has("fn") || t.has("panic")) continue;
      for (Probe p : probes) {
        if (p.truthFn().equals(t.get("fn").asText())
            && (p.truthSignature() == null
                || p.truthSignature().equals(t.path("signature").asText()))) {
          truth.get(p).add(t);
        }
      }
    }
    for (String line : rowLines) {
      JsonNode r = JSON.readTree(line);
      Probe owner = null;
      for (Probe p : probes) {
        Set<String> names = new HashSet<>();
        r.path("captures").fieldNames().forEachRemaining(names::add);
        r.path("errors").fieldNames().forEachRemaining(names::add);
        boolean sameCaptures =
            names.equals(p.checks().stream().map(Check::name).collect(Collectors.toSet()));
        if (sameCaptures && r.path("function").asText().startsWith(p.truthFn())) owner = p;
      }
      if (owner == null) fail("a row that belongs to no tracepoint: " + line);
      rows.get(owner).add(r);
    }
    List<String> mismatches = new ArrayList<>();
    int compared = 0;
    for (Probe p : probes) {
      List<JsonNode> t = truth.get(p);
      List<JsonNode> r = rows.get(p);
      if (t.isEmpty())
        mismatches.add(p.name() + ": the target made no call (check the target's scenarios)");
      if (t.size() != r.size()) {
        mismatches.add(p.name() + ": " + t.size() + " calls but " + r.size() + " rows");
        continue;
      }
      for (int i = 0; i < t.size(); i++) {
        JsonNode row = r.get(i);
        if (row.path("latency_ns").asLong(-1) < 0)
          mismatches.add(p.name() + " call " + i + ": no latency_ns");
        for (Check c : p.checks()) {
          String why = c.compare(row, t.get(i));
          compared++;
          if (why != null)
            mismatches.add(
                p.name() + " call " + i + " " + c.name() + " (" + c.expr() + "): " + why);
        }
      }
    }
    if (!mismatches.isEmpty()) {
      fail(
          mismatches.size()
              + " of "
              + compared
              + " captured values differ from the ground truth:\n  "
              + String.join("\n  ", mismatches)
              + "\ndynlog stderr:\n"
              + stderr);
    }
    System.out.println(
        "compared " + compared + " captured values over " + rowLines.size() + " rows");
  }
}
