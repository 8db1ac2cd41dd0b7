package dev.dynlog.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Builds every target variant with the real toolchains and runs it once: the ground truth must
 * parse, agree with the summary, name functions that exist in the binary's DWARF, and the exit
 * status must be 0.
 */
@Tag("toolchain")
class TargetsTest {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

  static List<GoVariant> goVariants() {
    return Targets.goVariants();
  }

  static List<CppVariant> cppVariants() {
    return Targets.cppVariants();
  }

  static List<ElfVariant> elfVariants() {
    return Targets.elfVariants();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goVariants")
  void goTargetRunsAndItsGroundTruthNamesRealFunctions(GoVariant variant) {
    Path binary = Targets.build(variant);
    TargetOutput out =
        Targets.run(binary, RUN_TIMEOUT, "-scenario=all", "-fib=10", "-goroutines=1000");

    assertEquals(0, out.exitCode(), out.stderr());
    assertSummaryMatchesLines(out);
    assertEquals(
        177, out.callsOf("dynlog.dev/targets/stress.Fib").size(), "Fib(10) makes 177 calls");
    List<GroundTruth> grow = out.callsOf("dynlog.dev/targets/stress.Grow");
    assertEquals(1000, grow.size());
    assertEquals(
        1000,
        grow.stream().map(GroundTruth::goid).distinct().count(),
        "one goroutine per Grow call");
    List<GroundTruth> must = out.callsOf("dynlog.dev/targets/shop.MustPositive");
    assertEquals(List.of(false, true), must.stream().map(GroundTruth::panicked).toList());
    GroundTruth sum = out.callsOf("dynlog.dev/targets/shop.Sum").get(0);
    assertEquals(11, sum.result(0).get("Units").asLong());
    assertTrue(sum.result(1).isNull());
    assertTrue(
        out.calls().stream().allMatch(c -> c.goid() > 0), "every Go line carries its goroutine id");

    Set<String> functions =
        out.calls().stream().map(GroundTruth::fn).collect(Collectors.toCollection(TreeSet::new));
    String dwarf = Oracles.dwarfdumpNames(binary, functions);
    for (String fn : functions) {
      assertTrue(
          dwarf.contains("DW_AT_name\t(\"" + fn + "\")"),
          fn + " is not a DWARF subprogram of " + binary);
    }
    assertGroundTruthNamesMatchDwarf(
        out, Oracles.subprograms(binary, functions), variant.toString());
    String greeting = Oracles.dwarfdumpNames(binary, Set.of("dynlog.dev/targets/shop.Greeting"));
    assertEquals(
        variant.optimised(),
        greeting.contains("DW_TAG_inlined_subroutine"),
        "shop.Greeting is inlined exactly in optimised builds:\n" + greeting);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cppVariants")
  void cppTargetRunsAndKeepsEveryTracedFunction(CppVariant variant) {
    Path binary = Targets.build(variant);
    TargetOutput out = Targets.run(binary, RUN_TIMEOUT, "-scenario=all", "-iterations=2");

    assertEquals(0, out.exitCode(), out.stderr());
    assertSummaryMatchesLines(out);
    assertEquals(12, out.callsOf("shop::fact").size(), "fact(6) twice is 12 frames");
    assertEquals(
        Set.of("shop::price(int)", "shop::price(const char*)", "shop::price(double)"),
        out.callsOf("shop::price").stream()
            .map(GroundTruth::signature)
            .collect(Collectors.toSet()));
    assertEquals(
        "cart#1: erin has 6 items", out.callsOf("shop::Cart::describe").get(1).result(0).asText());
    assertNull(out.callsOf("login").get(0).signature());

    Set<String> symbols = Oracles.definedFunctions(binary);
    for (String fn :
        List.of(
            "login",
            "shop::Cart::count() const",
            "shop::Cart::add(int)",
            "shop::Cart::total(long) const",
            "shop::addMoney(shop::Money, shop::Money)",
            "shop::sumBig(int, shop::Big, int)",
            "shop::makeBig(long)",
            "shop::mixedTotal(shop::Mixed)",
            "shop::tagId(shop::Tag, int)",
            "shop::bump(int&, long const&)",
            "shop::greet(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, int)",
            "shop::price(int)",
            "shop::price(char const*)",
            "shop::price(double)",
            "shop::scale(double, int)",
            "shop::fact(int)",
            "shop::hot(long, long, long)",
            "shop::ratio(long, long)")) {
      assertTrue(symbols.contains(fn), fn + " must stay an out-of-line function in " + variant);
    }
    assertTrue(
        symbols.stream().anyMatch(s -> s.startsWith("shop::Cart::describe(")),
        "describe out of line");
    assertEquals(
        List.of(false, true, false, true),
        out.callsOf("shop::ratio").stream().map(GroundTruth::panicked).toList(),
        "ratio(a, 0) throws");
    if (variant.equals(new CppVariant(Compiler.GXX, "O2"))) {
      assertTrue(
          symbols.contains("shop::ratio(long, long) [clone .cold]"),
          "g++ -O2 splits ratio's throwing path into a .cold part");
    }

    Map<String, String> mangled = Oracles.mangledFunctions(binary);
    Map<String, GroundTruth> firstCalls = new LinkedHashMap<>();
    for (GroundTruth c : out.calls()) {
      firstCalls.putIfAbsent(c.signature() != null ? c.signature() : c.fn(), c);
    }
    for (GroundTruth c : firstCalls.values()) {
      String symbol =
          c.signature() != null
              ? c.signature().replace("const char*", "char const*")
              : mangled.keySet().stream()
                  .filter(k -> k.equals(c.fn()) || k.startsWith(c.fn() + "("))
                  .findFirst()
                  .orElseThrow(() -> new AssertionError("no symbol for " + c.fn()));
      String linkage = mangled.get(symbol);
      assertTrue(linkage != null, "no symbol " + symbol + " in " + variant);
      DwarfSubprogram sp =
          Oracles.subprograms(binary, List.of(linkage)).stream()
              .filter(
                  d ->
                      !d.parameters().isEmpty()
                          && d.parameters().stream().noneMatch(p -> p.name().isEmpty()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new AssertionError(
                          "no DWARF subprogram with named parameters for "
                              + symbol
                              + " ("
                              + linkage
                              + ") in "
                              + variant));
      assertEquals(
          sp.argumentNames(),
          fieldNames(c.args()),
          "ground-truth arguments of " + symbol + " in " + variant);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("elfVariants")
  void elfVariantHasItsLayoutAndRuns(ElfVariant variant) {
    TargetBinary target = Targets.build(variant);
    TargetOutput out = Targets.run(target.binary(), RUN_TIMEOUT, "-scenario=basic");
    assertEquals(0, out.exitCode(), out.stderr());
    assertFalse(out.calls().isEmpty());
    assertSummaryMatchesLines(out);

    String sections = Oracles.sections(target.binary());
    switch (variant) {
      case CPP_DWARF4 ->
          assertTrue(
              Oracles.dwarfVersions(target.binary()).equals(Set.of(4)),
              "only DWARF 4 units: " + Oracles.dwarfVersions(target.binary()));
      case CPP_COMPRESSED_ZLIB ->
          assertTrue(
              Oracles.sectionFlags(sections, ".debug_info").contains("C"),
              ".debug_info is SHF_COMPRESSED:\n" + sections);
      case CPP_ZDEBUG_GNU -> {
        assertTrue(sections.contains(".zdebug_info"), sections);
        assertFalse(sections.contains(".debug_info"), sections);
      }
      case CPP_BUILD_ID_DEBUG_FILE -> {
        assertFalse(sections.contains(".debug_info"), "stripped:\n" + sections);
        assertFalse(sections.contains(".gnu_debuglink"), sections);
        String id = Oracles.buildId(target.binary());
        Path expected =
            target
                .debugRoot()
                .orElseThrow()
                .resolve(".build-id")
                .resolve(id.substring(0, 2))
                .resolve(id.substring(2) + ".debug");
        assertEquals(expected, target.debugFile().orElseThrow());
        assertTrue(
            Oracles.sections(expected).contains(".debug_info"), "debug file holds the DWARF");
      }
      case CPP_DEBUGLINK -> {
        assertFalse(sections.contains(".debug_info"), "stripped:\n" + sections);
        assertTrue(sections.contains(".gnu_debuglink"), sections);
        assertFalse(sections.contains(".note.gnu.build-id"), sections);
        Path debug = target.debugFile().orElseThrow();
        assertEquals(target.binary().resolveSibling(debug.getFileName()), debug);
        assertTrue(Oracles.sections(debug).contains(".debug_info"), "debug file holds the DWARF");
      }
      case CPP_SHARED_OBJECT -> {
        Path lib = target.library().orElseThrow();
        assertTrue(Oracles.elfType(lib).startsWith("DYN"), Oracles.elfType(lib));
        assertTrue(
            Oracles.definedFunctions(lib).contains("shop::addMoney(shop::Money, shop::Money)"));
        assertFalse(
            Oracles.definedFunctions(target.binary())
                .contains("shop::addMoney(shop::Money, shop::Money)"),
            "the executable calls the library's copy");
      }
      case GO_UNCOMPRESSED_DWARF ->
          assertFalse(
              Oracles.sectionFlags(sections, ".debug_info").contains("C"),
              ".debug_info is not compressed:\n" + sections);
    }
  }

  @Test
  void hotLoopsRecordEveryCallWithItsValues() {
    for (Path binary :
        List.of(
            Targets.build(new GoVariant(Targets.GO_VERSIONS.get(0), true)),
            Targets.build(new CppVariant(Compiler.CLANGXX, "O2")))) {
      TargetOutput out =
          Targets.run(binary, RUN_TIMEOUT, "-scenario=hot", "-hot-calls=1000", "-iterations=2");
      assertEquals(0, out.exitCode(), out.stderr());
      assertSummaryMatchesLines(out);
      assertEquals(2000, out.calls().size());
      for (GroundTruth c : out.calls()) {
        long a = c.arg("a").asLong();
        long b = c.arg("b").asLong();
        long cc = c.arg("c").asLong();
        assertEquals(a ^ (b + cc), c.result(0).asLong(), "hot(a, b, c) = a ^ (b + c): " + c);
      }
      assertTrue(out.stderr().contains("hot calls=1000 elapsed_ns="), out.stderr());

      TargetOutput quiet =
          Targets.run(binary, RUN_TIMEOUT, "-scenario=hot", "-hot-calls=100000", "-quiet");
      assertEquals(0, quiet.exitCode(), quiet.stderr());
      assertTrue(quiet.calls().isEmpty());
      assertEquals(100000L, quiet.summaryTotal());
    }
  }

  @Test
  void theCrowdGrowsEachGoroutineStackAtGrowsEntry() {
    for (String version :
        List.of(
            Targets.GO_VERSIONS.get(0), Targets.GO_VERSIONS.get(Targets.GO_VERSIONS.size() - 1))) {
      Path binary = Targets.build(new GoVariant(version, true));
      long entry = Oracles.symbolAddress(binary, "dynlog.dev/targets/stress.Grow");
      long hits = Oracles.gdbHits(binary, entry, "-scenario=crowd -goroutines=100 -grow-depth=8");
      // Each call starts on a small stack, runs its prologue's stack check, grows the stack
      // (runtime.morestack) and restarts from the entry: two entries per call. A goroutine that
      // the host deschedules for over 10 ms gets a preemption request from sysmon, which also goes
      // through morestack and re-enters once more: on a loaded machine a few calls enter three
      // times. Without stack growth there would be 100 entries.
      assertTrue(
          hits >= 200 && hits <= 300,
          "entries of stress.Grow for 100 calls under gdb ("
              + version
              + "): "
              + hits
              + ", expected 200 (two per call) plus a few preemption restarts");
    }
  }

  @Test
  void outputIsIdenticalFromRunToRunWithoutTheCrowd() throws Exception {
    Map<Path, List<String>> runs =
        Map.of(
            Targets.build(new GoVariant(Targets.GO_VERSIONS.get(1), true)),
            List.of("-scenario=basic,abi,recursion,panic,hot", "-hot-calls=50", "-iterations=3"),
            Targets.build(new CppVariant(Compiler.GXX, "O0")),
            List.of("-scenario=all", "-iterations=3"));
    for (var run : runs.entrySet()) {
      Path first = Files.createTempFile("dynlog-truth", ".jsonl");
      Path second = Files.createTempFile("dynlog-truth", ".jsonl");
      try {
        for (Path out : List.of(first, second)) {
          List<String> args = new ArrayList<>(run.getValue());
          args.add("-out=" + out);
          TargetProcess.ProcessOutput o =
              TargetProcess.start(run.getKey(), args.toArray(String[]::new)).finishRaw(RUN_TIMEOUT);
          assertEquals(0, o.exitCode(), o.stderr());
          assertEquals(List.of(), o.stdoutLines(), "with -out nothing goes to stdout");
        }
        List<String> a = Files.readAllLines(first);
        assertTrue(a.size() > 50, "lines written to the -out file: " + a.size());
        assertEquals(
            a, Files.readAllLines(second), "byte-identical ground truth from " + run.getKey());
        assertTrue(a.get(a.size() - 1).startsWith("{\"summary\""));
      } finally {
        Files.deleteIfExists(first);
        Files.deleteIfExists(second);
      }
    }
  }

  @Test
  void targetsWaitForReleaseAndStopCleanlyOnSigterm() throws Exception {
    for (Path binary :
        List.of(
            Targets.build(new GoVariant(Targets.GO_VERSIONS.get(2), true)),
            Targets.build(new CppVariant(Compiler.GXX, "O2")))) {
      try (TargetProcess p =
          TargetProcess.start(
              binary, "-scenario=basic", "-iterations=0", "-sleep=20ms", "-wait-stdin")) {
        p.awaitReady(Duration.ofSeconds(30));
        Thread.sleep(300);
        p.release();
        Thread.sleep(500);
        p.terminate();
        TargetOutput out = p.finish(Duration.ofSeconds(30));
        assertEquals(0, out.exitCode(), out.stderr());
        assertSummaryMatchesLines(out);
        assertTrue(out.calls().size() >= 10, "ran rounds until SIGTERM: " + out.calls().size());
      }
    }
  }

  @Test
  void demoServiceRunsItsLoadAndHasBothTracedFunctions() {
    for (String version :
        List.of(
            Targets.GO_VERSIONS.get(0), Targets.GO_VERSIONS.get(Targets.GO_VERSIONS.size() - 1))) {
      Path demo = Targets.buildDemo(version);
      String dwarf = Oracles.dwarfdumpNames(demo, List.of("main.(*Service).Login", "main.Sum"));
      assertTrue(dwarf.contains("DW_AT_name\t(\"main.(*Service).Login\")"), dwarf);
      assertTrue(dwarf.contains("DW_AT_name\t(\"main.Sum\")"), dwarf);
      try (TargetProcess p = TargetProcess.start(demo, "-rate=50", "-stats=200ms")) {
        Thread.sleep(1200);
        p.terminate();
        TargetProcess.ProcessOutput out = p.finishRaw(Duration.ofSeconds(30));
        assertEquals(0, out.exitCode(), out.stderr());
        assertFalse(out.stdoutLines().isEmpty(), "stat lines");
        String last = out.stdoutLines().get(out.stdoutLines().size() - 1);
        assertTrue(last.matches("demo: \\d+ calls, \\d+ errors"), last);
        assertFalse(last.startsWith("demo: 0 calls"), last);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void concurrentBuildsShareOneCacheEntry() throws Exception {
    Path root = Files.createTempDirectory("dynlog-cache-test");
    String previous = System.getProperty("dynlog.target.cache");
    System.setProperty("dynlog.target.cache", root.toString());
    try {
      Path stale = Files.createDirectories(root.resolve("cpp-g++-O0-" + "0".repeat(20)));
      Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
      Path recent = Files.createDirectories(root.resolve("cpp-g++-O0-" + "1".repeat(20)));
      Path otherName = Files.createDirectories(root.resolve("cpp-g++-O2-" + "2".repeat(20)));
      Files.setLastModifiedTime(otherName, Files.getLastModifiedTime(stale));
      CppVariant variant = new CppVariant(Compiler.GXX, "O0");
      var pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Path>> builds = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          builds.add(pool.submit(() -> Targets.build(variant)));
        }
        Set<Path> paths = new TreeSet<>();
        for (var f : builds) {
          paths.add(f.get());
        }
        assertEquals(1, paths.size(), "all builders see the same binary: " + paths);
        assertTrue(Files.isExecutable(paths.iterator().next()));
      } finally {
        pool.shutdown();
      }
      try (var entries = Files.list(root)) {
        List<String> names = entries.map(p -> p.getFileName().toString()).sorted().toList();
        assertFalse(
            names.contains(stale.getFileName().toString()),
            "a stale build of the same name is pruned");
        assertTrue(
            names.contains(recent.getFileName().toString()), "a recently used build is kept");
        assertTrue(names.contains(otherName.getFileName().toString()), "other names are kept");
        assertEquals(
            List.of(".locks", "cpp-g++-O0-", "cpp-g++-O0-", "cpp-g++-O2-"),
            names.stream().map(n -> n.replaceAll("-[0-9a-f]{20}$", "-")).toList(),
            "one new entry and no leftover temporary directory: " + names);
      }
    } finally {
      if (previous == null) {
        System.clearProperty("dynlog.target.cache");
      } else {
        System.setProperty("dynlog.target.cache", previous);
      }
      BuildCache.deleteTree(root);
    }
  }

  /**
   * Each traced Go function's ground-truth argument names (and, for functions with code of their
   * own, result names) are its DWARF formal parameters, in order.
   */
  private static void assertGroundTruthNamesMatchDwarf(
      TargetOutput out, List<DwarfSubprogram> subs, String variant) {
    Map<String, GroundTruth> firstReturn = new LinkedHashMap<>();
    for (GroundTruth c : out.calls()) {
      if (!c.panicked()) {
        firstReturn.putIfAbsent(c.fn(), c);
      }
    }
    for (GroundTruth c : firstReturn.values()) {
      List<DwarfSubprogram> named = subs.stream().filter(d -> d.name().equals(c.fn())).toList();
      DwarfSubprogram sp =
          named.stream()
              .filter(DwarfSubprogram::concrete)
              .findFirst()
              .orElseGet(
                  () ->
                      named.stream()
                          .findFirst()
                          .orElseThrow(
                              () ->
                                  new AssertionError(
                                      c.fn() + " has no DWARF subprogram in " + variant)));
      // Compiler-generated parameters (".dict", the generic dictionary) are not in the ground
      // truth.
      List<String> sourceArgs =
          sp.argumentNames().stream().filter(n -> !n.startsWith(".")).toList();
      assertEquals(
          sourceArgs,
          fieldNames(c.args()),
          "ground-truth arguments of " + c.fn() + " in " + variant);
      if (sp.concrete()) {
        assertEquals(
            sp.resultNames(),
            fieldNames(c.results()),
            "ground-truth results of " + c.fn() + " in " + variant);
      }
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static void assertSummaryMatchesLines(TargetOutput out) {
    Map<String, Long> counted =
        out.calls().stream().collect(Collectors.groupingBy(GroundTruth::fn, Collectors.counting()));
    assertEquals(counted, out.summaryCounts(), "summary counts equal the printed lines");
    assertEquals(out.calls().size(), out.summaryTotal());
  }
}
