package dev.dynlog.x86;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dynlog.testing.CppVariant;
import dev.dynlog.testing.GoVariant;
import dev.dynlog.testing.Targets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-binary oracle test: for every symbol objdump disassembles in real binaries (the Go target
 * built by every pinned Go toolchain, optimised and with -N -l, the Go toolchain's own {@code go}
 * binary, the C++ target built by g++ and clang++ at -O0 and -O2, a C++ program using the standard
 * library built for x86-64-v4 with AVX-512, and system libraries), the instruction starts found by
 * {@link InstructionDecoder} equal objdump's and the RETs found by {@link ReturnFinder} are exactly
 * the lines objdump shows as {@code ret}.
 *
 * <p>Where objdump prints {@code (bad)} (data or undefined bytes in a code section), the comparison
 * covers the block up to that line and the decoder must reject the same address.
 */
@Tag("toolchain")
class ObjdumpOracleTest {
  @TempDir static Path work;

  @TestFactory
  Stream<DynamicTest> instructionBoundariesAndRetsAgreeWithObjdump() {
    Map<String, Callable> binaries = new LinkedHashMap<>();
    for (GoVariant variant : Targets.goVariants()) {
      binaries.put("Go target " + variant.id(), () -> Targets.build(variant));
    }
    binaries.put("go command (large Go binary, crypto assembly)", () -> goTool("go"));
    for (CppVariant variant : Targets.cppVariants()) {
      binaries.put("C++ target " + variant.id(), () -> Targets.build(variant));
    }
    binaries.put(
        "C++ g++ -O2 -march=x86-64-v4 (AVX-512)", () -> buildCxx("g++", "-O2", "-march=x86-64-v4"));
    binaries.put(
        "C++ clang++-14 -O2 -march=x86-64-v4 (AVX-512)",
        () -> buildCxx("clang++-14", "-O2", "-march=x86-64-v4"));
    binaries.put("libc.so.6", () -> systemLibrary("libc.so.6"));
    binaries.put("libm.so.6", () -> systemLibrary("libm.so.6"));
    binaries.put("libstdc++.so.6", () -> systemLibrary("libstdc++.so.6"));
    return binaries.entrySet().stream()
        .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> check(e.getKey(), e.getValue().get())));
  }

  /** Supplies a binary, possibly building it. */
  private interface Callable {
    Path get() throws Exception;
  }

  private static void check(String label, Path binary) throws Exception {
    Map<String, ExecutableSections.Section> sections =
        ExecutableSections.read(binary).stream()
            .collect(Collectors.toMap(ExecutableSections.Section::name, Function.identity()));
    Comparison comparison = new Comparison(binary, sections);
    long started = System.nanoTime();
    ObjdumpListing.stream(binary, comparison::check);
    System.out.printf(
        "x86 oracle %-45s %9d instructions in %6d functions, %6d rets, "
            + "%d blocks with objdump (bad) (%d instructions before it checked), %d ms%n",
        label,
        comparison.instructions,
        comparison.blocks,
        comparison.rets,
        comparison.badBlocks,
        comparison.instructionsBeforeBad,
        (System.nanoTime() - started) / 1_000_000);
    comparison.badReasons.forEach(
        reason -> System.out.println("  refused (objdump: (bad)): " + reason));
    if (!comparison.failures.isEmpty()) {
      fail(
          comparison.failures.size()
              + " disagreement(s) with objdump in "
              + binary
              + ":\n"
              + String.join(
                  "\n", comparison.failures.subList(0, Math.min(10, comparison.failures.size()))));
    }
    assertTrue(
        comparison.instructions > 1000,
        "objdump listed only " + comparison.instructions + " instructions for " + binary);
    assertTrue(comparison.rets > 0, "no ret found in " + binary);
  }

  /** Compares each objdump block with the decoder and collects disagreements. */
  private static final class Comparison {
    private final Path binary;
    private final Map<String, ExecutableSections.Section> sections;
    private final List<String> failures = new ArrayList<>();
    private final List<String> badReasons = new ArrayList<>();
    private long instructions;
    private long blocks;
    private long rets;
    private long badBlocks;
    private long instructionsBeforeBad;

    Comparison(Path binary, Map<String, ExecutableSections.Section> sections) {
      this.binary = binary;
      this.sections = sections;
    }

    void check(ObjdumpListing.Block block) {
      ExecutableSections.Section section = sections.get(block.section());
      if (section == null || !section.contains(block.start(), block.end())) {
        failures.add(
            block.symbol()
                + ": objdump block [0x"
                + Long.toHexString(block.start())
                + ", 0x"
                + Long.toHexString(block.end())
                + ") is outside the executable section "
                + block.section());
        return;
      }
      boolean bad = block.badAddress() >= 0;
      long limit = bad ? block.badAddress() : block.end();
      int from = (int) (block.start() - section.address());
      int to = (int) (limit - section.address());
      long[] expectedStarts = Arrays.stream(block.starts()).filter(a -> a < limit).toArray();
      long[] starts;
      try {
        starts = InstructionDecoder.boundaries(section.bytes(), from, to, section.address());
      } catch (InstructionDecodeException e) {
        failures.add(
            describe(
                block, e.address(), "decoder failed where objdump decoded: " + e.getMessage()));
        return;
      }
      if (!Arrays.equals(starts, expectedStarts)) {
        int i = 0;
        while (i < starts.length && i < expectedStarts.length && starts[i] == expectedStarts[i]) {
          i++;
        }
        long at = i < expectedStarts.length ? expectedStarts[i] : starts[i];
        failures.add(
            describe(
                block,
                at,
                "instruction starts differ (decoder "
                    + hex(starts, i)
                    + ", objdump "
                    + hex(expectedStarts, i)
                    + ")"));
        return;
      }
      if (bad) {
        // Data or undefined bytes in code: the boundaries before them agree, and ReturnFinder
        // must refuse the whole block rather than guess.
        badBlocks++;
        instructionsBeforeBad += starts.length;
        try {
          List<Long> guessed =
              ReturnFinder.rets(
                  section.bytes(),
                  from,
                  (int) (block.end() - section.address()),
                  section.address());
          failures.add(
              describe(
                  block,
                  limit,
                  "objdump says (bad) but ReturnFinder accepted the block"
                      + " and found rets "
                      + guessed.stream().map(Long::toHexString).toList()
                      + ": "
                      + block.badLine()));
        } catch (InstructionDecodeException expected) {
          badReasons.add(block.symbol() + ": " + expected.getMessage());
        }
        return;
      }
      List<Long> foundRets;
      try {
        foundRets = ReturnFinder.rets(section.bytes(), from, to, section.address());
      } catch (InstructionDecodeException e) {
        failures.add(
            describe(
                block,
                e.address(),
                "ReturnFinder refused code objdump decoded: " + e.getMessage()));
        return;
      }
      List<Long> expectedRets = Arrays.stream(block.rets()).boxed().toList();
      if (!foundRets.equals(expectedRets)) {
        failures.add(
            describe(
                block,
                block.start(),
                "rets differ: decoder "
                    + foundRets.stream().map(Long::toHexString).toList()
                    + ", objdump "
                    + expectedRets.stream().map(Long::toHexString).toList()));
        return;
      }
      blocks++;
      instructions += starts.length;
      rets += foundRets.size();
    }

    private String describe(ObjdumpListing.Block block, long at, String what) {
      ExecutableSections.Section section = sections.get(block.section());
      int offset = (int) (at - section.address());
      byte[] bytes =
          Arrays.copyOfRange(
              section.bytes(), Math.max(0, offset), Math.min(section.bytes().length, offset + 16));
      String message =
          "  "
              + block.symbol()
              + " @0x"
              + Long.toHexString(at)
              + " ["
              + HexFormat.ofDelimiter(" ").formatHex(bytes)
              + "]: "
              + what;
      if (failures.size() < 10) {
        message += "\n" + objdumpAround(at);
      }
      return message;
    }

    private String objdumpAround(long at) {
      try {
        Process p =
            new ProcessBuilder(
                    "objdump",
                    "-d",
                    "-z",
                    "--insn-width=16",
                    "--start-address=0x" + Long.toHexString(Math.max(0, at - 24)),
                    "--stop-address=0x" + Long.toHexString(at + 24),
                    binary.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out.lines()
            .filter(l -> l.contains(":\t"))
            .map(l -> "      " + l)
            .collect(Collectors.joining("\n"));
      } catch (IOException | InterruptedException e) {
        return "      (objdump context unavailable: " + e + ")";
      }
    }
  }

  private static String hex(long[] values, int index) {
    return index < values.length ? "0x" + Long.toHexString(values[index]) : "end";
  }

  private static Path goTool(String name) throws Exception {
    Process p = new ProcessBuilder("go", "env", "GOROOT").start();
    String goroot = new String(p.getInputStream().readAllBytes()).trim();
    if (p.waitFor() != 0 || goroot.isEmpty()) {
      throw new IOException("`go env GOROOT` failed; is Go installed?");
    }
    Path tool = Path.of(goroot, "bin", name);
    if (!Files.isExecutable(tool)) {
      throw new IOException(tool + " does not exist");
    }
    return tool;
  }

  private static final String CXX_PROGRAM =
      """
      #include <algorithm>
      #include <cmath>
      #include <cstdio>
      #include <iostream>
      #include <map>
      #include <memory>
      #include <numeric>
      #include <regex>
      #include <sstream>
      #include <stdexcept>
      #include <string>
      #include <unordered_map>
      #include <vector>

      struct Shape {
        virtual ~Shape() = default;
        virtual double area() const = 0;
      };
      struct Circle : Shape {
        double r;
        explicit Circle(double r) : r(r) {}
        double area() const override { return 3.14159 * r * r; }
      };
      struct Rect : Shape {
        double w, h;
        Rect(double w, double h) : w(w), h(h) {}
        double area() const override { return w * h; }
      };

      __attribute__((noinline)) void saxpy(float a, const float* x, float* y, int n) {
        for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];
      }
      __attribute__((noinline)) long sum_bytes(const unsigned char* p, long n) {
        long s = 0;
        for (long i = 0; i < n; i++) s += p[i] * 3 + (p[i] >> 2);
        return s;
      }
      __attribute__((noinline)) int classify(int v) {
        switch (v) {
          case 0: return 17; case 1: return 42; case 2: return 0xC3C3; case 3: return 195;
          case 4: return -5; case 5: return 1 << 20; case 6: return 99; default: return v * 7;
        }
      }
      __attribute__((noinline)) long long big_constant(long long x) {
        return x * 0x1122334455C3C3C3LL + 0xC3;
      }

      int main(int argc, char** argv) {
        std::vector<std::unique_ptr<Shape>> shapes;
        for (int i = 0; i < argc + 5; i++) {
          if (i % 2) shapes.push_back(std::make_unique<Circle>(i));
          else shapes.push_back(std::make_unique<Rect>(i, i + 1));
        }
        std::map<std::string, double> areas;
        for (auto& s : shapes) areas[std::to_string(s->area())] += std::sqrt(s->area());
        std::vector<float> x(1000, 1.5f), y(1000, 2.0f);
        saxpy(2.0f, x.data(), y.data(), (int) x.size());
        std::string text(argv[0]);
        std::sort(text.begin(), text.end());
        long total = sum_bytes(reinterpret_cast<const unsigned char*>(text.data()), (long) text.size());
        try {
          if (argc > 100) throw std::runtime_error("too many");
        } catch (const std::exception& e) {
          std::puts(e.what());
        }
        std::printf("%zu %f %ld %d %lld\\n", areas.size(), std::accumulate(y.begin(), y.end(), 0.0),
            total, classify(argc), big_constant(argc));
        std::unordered_map<std::string, int> words;
        std::istringstream in("alpha beta gamma beta alpha alpha");
        for (std::string w; in >> w;) words[w]++;
        std::regex pattern("(a+)l(p?)h");
        for (auto& [w, n] : words) {
          std::smatch m;
          if (std::regex_search(w, m, pattern)) std::cout << w << ' ' << n << ' ' << m[1] << '\\n';
        }
        return 0;
      }
      """;

  private static Path buildCxx(String compiler, String... flags) throws Exception {
    Path dir = Files.createDirectories(work.resolve("cxx"));
    Path source = dir.resolve("prog.cpp");
    Files.writeString(source, CXX_PROGRAM);
    Path out = dir.resolve(compiler + String.join("", flags).replace('=', '_'));
    List<String> command = new ArrayList<>(List.of(compiler));
    command.addAll(List.of(flags));
    command.addAll(List.of("-std=c++17", "-o", out.toString(), source.toString()));
    run(dir, command.toArray(String[]::new));
    return out;
  }

  private static Path systemLibrary(String name) throws IOException {
    for (String dir :
        List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64")) {
      Path path = Path.of(dir, name);
      if (Files.exists(path)) {
        return path.toRealPath();
      }
    }
    throw new IOException(name + " not found in the usual x86-64 library directories");
  }

  private static void run(Path dir, String... command) throws Exception {
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed in " + dir + ":\n" + output);
    }
  }
}
