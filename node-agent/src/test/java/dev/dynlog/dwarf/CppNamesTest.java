package dev.dynlog.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.symbols.Function;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * C++ names built from the DIE tree — nested namespaces, anonymous namespaces, template
 * instantiations, operators, static and out-of-line members — match the demangled symbols at the
 * same addresses ({@code nm -C}), and the friendly forms pick the right functions.
 */
@Tag("toolchain")
class CppNamesTest {
  private static final String SOURCE =
      """
      #include <cstdio>
      namespace outer { namespace inner {
      template <typename T> __attribute__((noinline)) T biggest(T a, T b) { return a > b ? a : b; }
      struct Vec {
        int x, y;
        __attribute__((noinline)) bool operator<(const Vec& o) const { return x < o.x; }
        __attribute__((noinline)) int operator()(int k) const { return x * k; }
        __attribute__((noinline)) static Vec make(int v);
      };
      Vec Vec::make(int v) { return Vec{v, v}; }
      }
      namespace { __attribute__((noinline)) int hidden(int v) { return v + 1; } }
      __attribute__((noinline)) int use(int v) { return hidden(v); }
      }
      int main(int argc, char**) {
        using namespace outer::inner;
        Vec a = Vec::make(argc), b = Vec::make(argc + 1);
        printf("%d %d %f %d %d\\n", biggest(argc, 3), (int)(a < b), biggest(1.5, argc * 1.0), a(argc), outer::use(argc));
        return 0;
      }
      """;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"g++ -O0", "g++ -O2", "clang++-14 -O0", "clang++-14 -O2"})
  void namesMatchDemangledSymbols(String compiler) throws Exception {
    Path src = dir.resolve("names.cpp");
    Files.writeString(src, SOURCE);
    Path bin = dir.resolve("names");
    List<String> cmd = new ArrayList<>(List.of(compiler.split(" ")));
    cmd.addAll(List.of("-g", "-o", bin.toString(), src.toString()));
    run(cmd);
    Map<Long, List<String>> demangled = new HashMap<>();
    for (String line :
        run(List.of("nm", "-C", "--defined-only", bin.toString())).lines().toList()) {
      String[] f = line.split(" ", 3);
      if (f.length == 3)
        demangled
            .computeIfAbsent(Long.parseUnsignedLong(f[0], 16), k -> new ArrayList<>())
            .add(f[2]);
    }
    try (DwarfBinary b = DwarfBinary.open(bin)) {
      List<String> names = b.functionNames(Pattern.compile("^outer::"));
      assertEquals(
          List.of(
              "outer::(anonymous namespace)::hidden",
              "outer::inner::Vec::make",
              "outer::inner::Vec::operator()",
              "outer::inner::Vec::operator<",
              "outer::inner::biggest<double>",
              "outer::inner::biggest<int>",
              "outer::use"),
          names);
      for (String n : names) {
        for (Function f : b.lookup(n)) {
          List<String> atEntry = demangled.getOrDefault(f.lowPc(), List.of());
          assertTrue(
              atEntry.stream().anyMatch(d -> d.contains(n + "(")),
              n + " at 0x" + Long.toHexString(f.lowPc()) + ": nm -C has " + atEntry);
        }
      }
      assertEquals(2, b.lookup("outer::inner::biggest").size(), "all instantiations");
      assertEquals(
          "outer::inner::biggest<int>", one(b.lookup("outer::inner::biggest<int>")).name());
      Function less = one(b.lookup("outer::inner::Vec::operator<"));
      assertEquals(List.of("this", "o"), less.parameters().stream().map(v -> v.name()).toList());
      assertEquals("const outer::inner::Vec &", less.parameters().get(1).type().displayName());
      assertEquals(
          "outer::inner::Vec::operator()", one(b.lookup("outer::inner::Vec::operator()")).name());
      assertEquals(
          "outer::inner::Vec::operator()",
          one(b.lookup("outer::inner::Vec::operator()(int)")).name());
      assertEquals(
          "outer::inner::Vec", one(b.lookup("outer::inner::Vec::make")).returnType().displayName());
      assertEquals(
          "outer::(anonymous namespace)::hidden",
          one(b.lookup("outer::(anonymous namespace)::hidden(int)")).name());
      assertEquals(1, b.lookup("outer::use(int)").size());
    }
  }

  private static Function one(List<Function> fs) {
    assertEquals(1, fs.size(), fs.toString());
    return fs.get(0);
  }

  private static String run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "timed out: " + cmd);
    assertEquals(0, p.exitValue(), cmd + ":\n" + out);
    return out;
  }
}
