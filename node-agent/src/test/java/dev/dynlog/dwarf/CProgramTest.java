package dev.dynlog.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.dwarf.DwarfdumpOracle.ODie;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.Language;
import dev.dynlog.types.Type;
import dev.dynlog.types.Type.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A two-file C program: static functions with the same name in two units are both found (at the
 * addresses nm gives), parameters and their types match llvm-dwarfdump, and the struct layout,
 * union and signed enum values match what the program itself prints.
 */
@Tag("toolchain")
class CProgramTest {
  private static final String A =
      """
      #include <stdio.h>
      #include <stddef.h>
      typedef enum { RED = 1, GREEN = -2, BLUE = 300 } color;
      enum wide { SMALL = 1, BIG = 0xfffffff0u };
      typedef union { int i; float f; double d; } num;
      struct rec { unsigned char tag; num n; color c; int (*cb)(const char *, ...); struct rec *next; };
      static __attribute__((noinline)) int helper(int v) { return v * 2; }
      int b_entry(int);
      __attribute__((noinline)) int apply(struct rec *r, const char *fmt, unsigned long count, color c) {
        return helper((int)count) + (r ? (int)r->c : (int)c) + (fmt != 0);
      }
      __attribute__((noinline)) int widen(enum wide w) { return w == BIG; }
      int main(void) {
        struct rec r = {1, {.i = 2}, GREEN, printf, 0};
        printf("rec %zu tag %zu n %zu c %zu cb %zu next %zu num %zu\\n", sizeof r, offsetof(struct rec, tag),
               offsetof(struct rec, n), offsetof(struct rec, c), offsetof(struct rec, cb), offsetof(struct rec, next), sizeof(num));
        return apply(&r, "x", 3, RED) + b_entry(1) + widen(SMALL) > 1000;
      }
      """;
  private static final String B =
      """
      static __attribute__((noinline)) int helper(int v) { return v + 7; }
      int b_entry(int v) { return helper(v); }
      """;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"gcc -O0", "gcc -O2", "clang-14 -O0", "clang-14 -O2", "gcc -O2 -gdwarf-4"})
  void matchesNmDwarfdumpAndTheProgram(String compiler) throws Exception {
    Files.writeString(dir.resolve("a.c"), A);
    Files.writeString(dir.resolve("b.c"), B);
    Path bin = dir.resolve("prog");
    List<String> cmd = new ArrayList<>(List.of(compiler.split(" ")));
    cmd.addAll(
        List.of(
            "-g",
            "-o",
            bin.toString(),
            dir.resolve("a.c").toString(),
            dir.resolve("b.c").toString()));
    run(cmd);
    String[] truth = run(List.of(bin.toString())).trim().split(" ");
    Map<String, Long> layout = new HashMap<>();
    for (int i = 0; i + 1 < truth.length; i += 2)
      layout.put(truth[i], Long.parseLong(truth[i + 1]));
    TreeSet<Long> helperAddrs = new TreeSet<>();
    for (String line : run(List.of("nm", "--defined-only", bin.toString())).lines().toList()) {
      String[] f = line.split(" ");
      if (f.length == 3 && f[2].equals("helper")) helperAddrs.add(Long.parseUnsignedLong(f[0], 16));
    }
    DwarfdumpOracle oracle = DwarfdumpOracle.of(bin);
    try (DwarfBinary b = DwarfBinary.open(bin)) {
      List<Function> helpers = b.lookup("helper");
      assertEquals(2, helperAddrs.size(), "nm lists two static helpers");
      assertEquals(
          helperAddrs,
          new TreeSet<>(helpers.stream().map(Function::lowPc).toList()),
          "both static helpers");

      Function apply = b.lookup("apply").get(0);
      assertEquals(Language.C, apply.language());
      ODie die = oracle.die(apply.dieOffset());
      List<String> expected =
          oracle.children(die).stream()
              .filter(c -> c.tag().equals("DW_TAG_formal_parameter"))
              .map(c -> c.name() + " " + c.refName("DW_AT_type"))
              .toList();
      assertEquals(
          expected,
          apply.parameters().stream().map(v -> v.name() + " " + v.type().displayName()).toList());
      assertEquals(die.refName("DW_AT_type"), apply.returnType().displayName());

      Type rec = apply.parameters().get(0).type().target().stripped();
      assertEquals(layout.get("rec"), rec.size());
      for (String m : List.of("tag", "n", "c", "cb", "next"))
        assertEquals(layout.get(m), rec.member(m).offset(), m);
      Type num = rec.member("n").type().stripped();
      assertEquals(Kind.UNION, num.kind());
      assertEquals(layout.get("num"), num.size());
      assertTrue(num.members().stream().allMatch(m -> m.offset() == 0), "union members all at 0");
      Type color = apply.parameters().get(3).type().stripped();
      assertEquals(Kind.ENUM, color.kind());
      assertEquals(
          List.of("RED=1", "GREEN=-2", "BLUE=300"),
          color.enumerators().stream().map(e -> e.name() + "=" + e.value()).toList());
      Type wide = b.lookup("widen").get(0).parameters().get(0).type().stripped();
      assertEquals(
          List.of("SMALL=1", "BIG=4294967280"),
          wide.enumerators().stream().map(e -> e.name() + "=" + e.value()).toList(),
          "values of an unsigned enum are not sign-extended");
      Type cb = rec.member("cb").type().stripped();
      assertEquals(Kind.POINTER, cb.kind());
      assertEquals(Kind.FUNC, cb.target().kind());
    }
  }

  private String run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "timed out: " + cmd);
    assertEquals(0, p.exitValue(), cmd + ":\n" + out);
    return out;
  }
}
