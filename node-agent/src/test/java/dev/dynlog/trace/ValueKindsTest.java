package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.plan.Decoder;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.plan.ValuePlan;
import dev.dynlog.recipe.Piece;
import dev.dynlog.recipe.Read;
import dev.dynlog.recipe.Register;
import dev.dynlog.symbols.Language;
import dev.dynlog.testing.Oracles;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Read kinds and root sources beyond the basics: stack slots (7th and 8th integer arguments, a
 * struct passed in memory), a pointer on the stack followed, libstdc++ std::string by reference, a
 * Go []byte in three registers. Each against the target's own printed values.
 */
@Tag("bpf")
class ValueKindsTest {
  static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
  static Tracer tracer;

  @BeforeAll
  static void open() throws TracerException {
    tracer = Tracer.open();
  }

  @AfterAll
  static void close() {
    if (tracer != null) tracer.close();
  }

  static final String C_SOURCE =
      """
      #include <stdio.h>
      #include <stdlib.h>
      struct big { long x; int y; long z; };
      __attribute__((noinline)) long many(long a, long b, long c, long d, long e, long f, long g, long *h) {
        return a + b + c + d + e + f + g + *h;
      }
      __attribute__((noinline)) long bystack(struct big v) { return v.x + v.y + v.z; }
      int main(int argc, char **argv) {
        char line[16];
        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("ready\\n");
        if (!fgets(line, sizeof line, stdin)) return 2;
        for (long i = 1; i <= 5; i++) {
          long h = i * 1111;
          long r = many(i, 2, 3, 4, 5, 6, -i * 77, &h);
          printf("many %ld %ld %ld\\n", -i * 77, h, r);
          struct big v = { i << 40, (int)-i, i * 3 };
          printf("bystack %ld %d %ld %ld\\n", v.x, v.y, v.z, bystack(v));
        }
        return 0;
      }
      """;

  @Test
  void stackSlotsAndStructsPassedInMemory() throws Exception {
    Path bin = Targets.buildC("kinds", C_SOURCE, "-g", "-O2");
    // at entry [rsp] is the return address: the 7th argument is at rsp+8, the 8th at rsp+16
    ValuePlan g =
        new ValuePlan(
            "g",
            "g",
            "long",
            false,
            "[rsp+8]",
            List.of(
                new Read(
                    List.of(Piece.stack(8, 8, 0)), false, List.of(), 0, 8, Read.Kind.BYTES, 0)),
            new Decoder.SignedInt(0, 8));
    ValuePlan h =
        new ValuePlan(
            "h",
            "*h",
            "long",
            false,
            "*[rsp+16]",
            List.of(
                new Read(
                    List.of(Piece.stack(16, 8, 0)), true, List.of(), 0, 8, Read.Kind.BYTES, 0)),
            new Decoder.SignedInt(0, 8));
    ProbePlan many =
        Plans.c(bin, "many", List.of(g, h, Plans.signed("ret", true, Register.RAX, 8)));
    // struct big (24 bytes) is passed in memory at rsp+8: one stack piece, fields by offset
    Piece whole = Piece.stack(8, 24, 0);
    ValuePlan v =
        new ValuePlan(
            "v",
            "v",
            "struct big",
            false,
            "[rsp+8]",
            List.of(
                new Read(List.of(whole), false, List.of(), 0, 8, Read.Kind.BYTES, 0),
                new Read(List.of(whole), false, List.of(), 8, 4, Read.Kind.BYTES, 0),
                new Read(List.of(whole), false, List.of(), 16, 8, Read.Kind.BYTES, 0)),
            new Decoder.Struct(
                List.of("x", "y", "z"),
                List.of(
                    new Decoder.SignedInt(0, 8),
                    new Decoder.SignedInt(1, 4),
                    new Decoder.SignedInt(2, 8))));
    ProbePlan bystack =
        Plans.c(bin, "bystack", List.of(v, Plans.signed("ret", true, Register.RAX, 8)));
    List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    try (TargetProcess t = TargetProcess.startPlain(bin)) {
      Probe a =
          tracer.attach(many, Target.process((int) t.pid()), TraceOptions.defaults(), rows::add);
      Probe b =
          tracer.attach(bystack, Target.process((int) t.pid()), TraceOptions.defaults(), rows::add);
      t.release();
      List<String> truth = t.finishLines(RUN_TIMEOUT);
      a.close();
      b.close();
      List<Row> m = rows.stream().filter(r -> r.function().equals("many")).toList();
      List<Row> s = rows.stream().filter(r -> r.function().equals("bystack")).toList();
      int im = 0, is = 0;
      for (String line : truth) {
        String[] f = line.split(" ");
        if (f[0].equals("many")) {
          assertEquals(
              Map.of(
                  "g",
                  Long.parseLong(f[1]),
                  "h",
                  Long.parseLong(f[2]),
                  "ret",
                  Long.parseLong(f[3])),
              m.get(im++).captures(),
              line);
        } else {
          Row r = s.get(is++);
          assertEquals(
              Map.of(
                  "x", Long.parseLong(f[1]), "y", Long.parseLong(f[2]), "z", Long.parseLong(f[3])),
              r.captures().get("v"),
              line);
          assertEquals(Long.parseLong(f[4]), r.captures().get("ret"), line);
        }
      }
      assertEquals(5, im);
      assertEquals(5, is);
      assertEquals(10, rows.size());
    }
  }

  static final String CPP_SOURCE =
      """
      #include <cstdio>
      #include <string>
      __attribute__((noinline)) size_t name_len(const std::string &s) { return s.size(); }
      int main() {
        char line[16];
        setvbuf(stdout, nullptr, _IOLBF, 0);
        std::printf("ready\\n");
        if (!std::fgets(line, sizeof line, stdin)) return 2;
        std::string names[] = {"al", "a-name-longer-than-the-sso-buffer", std::string(40, 'q'), ""};
        for (auto &n : names) std::printf("len [%s] %zu\\n", n.c_str(), name_len(n));
        return 0;
      }
      """;

  @Test
  void stdStringByReference() throws Exception {
    Path bin = Targets.buildCpp("str", CPP_SOURCE, "-g", "-O2");
    String mangled = "_Z8name_lenRKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE";
    // s is a reference: RDI holds the std::string's address; {ptr, len} are its first 16 bytes
    ValuePlan s =
        new ValuePlan(
            "s",
            "s",
            "const std::string &",
            false,
            "*RDI",
            List.of(
                new Read(
                    List.of(Piece.register(Register.RDI, 8, 0)),
                    true,
                    List.of(),
                    0,
                    32,
                    Read.Kind.STD_STRING,
                    32)),
            new Decoder.Text(0));
    long entry = Oracles.symbolAddress(bin, mangled);
    ProbePlan plan =
        new ProbePlan(
            bin.toString(),
            null,
            "name_len",
            Language.CPP,
            entry,
            Oracles.fileOffset(bin, entry),
            List.of(),
            List.of(),
            List.of(s, Plans.signed("ret", true, Register.RAX, 8)),
            null);
    List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    try (TargetProcess t = TargetProcess.startPlain(bin)) {
      Probe tp =
          tracer.attach(plan, Target.process((int) t.pid()), TraceOptions.defaults(), rows::add);
      t.release();
      List<String> truth = t.finishLines(RUN_TIMEOUT);
      tp.close();
      assertEquals(4, rows.size());
      for (int i = 0; i < 4; i++) {
        String line = truth.get(i);
        String text = line.substring(line.indexOf('[') + 1, line.indexOf(']'));
        long len = Long.parseLong(line.substring(line.indexOf(']') + 2));
        String expected =
            text.length() <= 32 ? text : text.substring(0, 32) + "…(" + text.length() + " bytes)";
        assertEquals(expected, rows.get(i).captures().get("s"), line);
        assertEquals(len, rows.get(i).captures().get("ret"), line);
      }
    }
  }

  @Test
  void goByteSliceInThreeRegisters() throws Exception {
    Path bin = Targets.buildTraceTarget();
    // G(b []byte) int: ptr RAX, len RBX, cap RCX
    ValuePlan b =
        new ValuePlan(
            "b",
            "b",
            "[]byte",
            false,
            "RAX,RBX,RCX",
            List.of(
                new Read(
                    List.of(
                        Piece.register(Register.RAX, 8, 0),
                        Piece.register(Register.RBX, 8, 8),
                        Piece.register(Register.RCX, 8, 16)),
                    false,
                    List.of(),
                    0,
                    24,
                    Read.Kind.GO_SLICE,
                    10)),
            new Decoder.Text(0));
    ProbePlan plan =
        Plans.go(bin, "main.G", List.of(b, Plans.signed("ret", true, Register.RAX, 8)));
    List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    try (TargetProcess t = TargetProcess.startPlain(bin, "slice")) {
      Probe tp =
          tracer.attach(
              plan,
              Target.process((int) t.pid()),
              TraceOptions.defaults().withLatency(true),
              rows::add);
      t.release();
      List<String> truth = t.finishLines(RUN_TIMEOUT);
      tp.close();
      assertEquals(truth.size(), rows.size());
      assertTrue(truth.size() >= 3);
      for (int i = 0; i < truth.size(); i++) {
        String[] f = truth.get(i).split(" ", -1);
        String text = f[1];
        String expected =
            text.length() <= 10 ? text : text.substring(0, 10) + "…(" + text.length() + " bytes)";
        assertEquals(expected, rows.get(i).captures().get("b"), truth.get(i));
        assertEquals(Long.parseLong(f[2]), rows.get(i).captures().get("ret"), truth.get(i));
      }
    }
  }
}
