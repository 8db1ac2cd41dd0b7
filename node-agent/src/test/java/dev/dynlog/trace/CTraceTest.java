package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.plan.Decoder;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.plan.ValuePlan;
import dev.dynlog.recipe.Read;
import dev.dynlog.recipe.Register;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Traces a real C program (gcc -O0 and -O2) with real uprobes and uretprobes, comparing every
 * captured row with the program's own printed ground truth.
 */
@Tag("bpf")
class CTraceTest {
  static final String SOURCE =
      """
      #include <stdio.h>
      #include <stdlib.h>
      #include <string.h>
      struct inner { long id; const char *name; };
      struct outer { int tag; struct inner *in; };
      __attribute__((noinline)) long add3(long a, int b, short c) { return a + b + c; }
      __attribute__((noinline)) int greet(const char *s) { return (int)strlen(s); }
      __attribute__((noinline)) long chain(struct outer *o) { return o->in ? o->in->id * 2 : -1; }
      __attribute__((noinline)) long fact(long n) { return n <= 1 ? 1 : n * fact(n - 1); }
      int main(int argc, char **argv) {
        int n = atoi(argv[1]);
        char line[16];
        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("ready\\n");
        if (!fgets(line, sizeof line, stdin)) return 2;
        char big[300];
        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = 0;
        for (int i = 0; i < n; i++) {
          long a = (long)i * 1000003L - 5000000000L;
          int b = -i * 7;
          short c = (short)(i * 300);
          long r = add3(a, b, c);
          printf("add3 %ld %d %d %ld\\n", a, b, (int)c, r);
          char buf[64];
          snprintf(buf, sizeof buf, "user-%d", i);
          const char *s = i % 5 == 4 ? big : buf;
          int g = greet(s);
          printf("greet %s %d\\n", i % 5 == 4 ? "BIG" : s, g);
          struct inner in = { i * 11L, "inner-name" };
          struct outer o = { i, i % 3 == 2 ? NULL : &in };
          long ch = chain(&o);
          printf("chain %d %s %ld\\n", o.tag, o.in ? "set" : "nil", ch);
        }
        long depth = 6;
        printf("fact %ld %ld\\n", depth, fact(depth));
        return 0;
      }
      """;

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

  @ParameterizedTest
  @ValueSource(strings = {"-O0", "-O2"})
  void capturesArgumentsResultsStringsAndChainsValueForValue(String opt) throws Exception {
    Path bin = Targets.buildC("ctarget" + opt, SOURCE, "-g", opt);
    int n = 50;
    ProbePlan add3 =
        Plans.c(
            bin,
            "add3",
            List.of(
                Plans.signed("a", false, Register.RDI, 8),
                    Plans.signed("b", false, Register.RSI, 4),
                Plans.signed("c", false, Register.RDX, 2),
                    Plans.signed("ret", true, Register.RAX, 8)));
    ProbePlan greet =
        Plans.c(
            bin,
            "greet",
            List.of(
                Plans.cString("s", Register.RDI, 64), Plans.signed("ret", true, Register.RAX, 4)));
    // o->tag, o->in->id, o->in->name: struct outer { int tag; struct inner *in@8 }, inner { id@0;
    // name@8 }
    ValuePlan tag =
        new ValuePlan(
            "tag",
            "o->tag",
            "int",
            false,
            "RDI",
            List.of(Plans.chain(Register.RDI, List.of(), 0, 4, Read.Kind.BYTES, 0)),
            new Decoder.SignedInt(0, 4));
    ValuePlan inner =
        new ValuePlan(
            "in",
            "*o->in",
            "struct inner",
            false,
            "RDI",
            List.of(
                Plans.chain(Register.RDI, List.of(8L), 0, 8, Read.Kind.BYTES, 0),
                Plans.chain(Register.RDI, List.of(8L), 8, 8, Read.Kind.C_STRING, 32)),
            new Decoder.Struct(
                List.of("id", "name"), List.of(new Decoder.SignedInt(0, 8), new Decoder.Text(1))));
    ProbePlan chain =
        Plans.c(bin, "chain", List.of(tag, inner, Plans.signed("ret", true, Register.RAX, 8)));
    ProbePlan fact =
        Plans.c(
            bin,
            "fact",
            List.of(
                Plans.signed("n", false, Register.RDI, 8),
                Plans.signed("ret", true, Register.RAX, 8)));

    List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    try (TargetProcess t = TargetProcess.startPlain(bin, String.valueOf(n))) {
      TraceOptions opts = TraceOptions.defaults().withLatency(true);
      List<Probe> tps = new ArrayList<>();
      for (ProbePlan p : List.of(add3, greet, chain, fact))
        tps.add(tracer.attach(p, Target.process((int) t.pid()), opts, rows::add));
      t.release();
      List<String> truth = t.finishLines(RUN_TIMEOUT);
      tracer.flush();
      for (Probe tp : tps) tp.close();
      check(truth, rows, (int) t.pid());
      // recursion (a loop at -O2): each result is paired with its own frame's argument
      List<Row> facts = rows.stream().filter(r -> r.function().equals("fact")).toList();
      assertEquals(opt.equals("-O0") ? 6 : 1, facts.size(), facts.toString());
      for (Row r : facts) {
        long arg = (Long) r.captures().get("n"), f = 1;
        for (long k = 2; k <= arg; k++) f *= k;
        assertEquals(f, r.captures().get("ret"), "fact(" + arg + ")");
      }
      assertEquals(
          6L, facts.get(facts.size() - 1).captures().get("n"), "the outermost call returns last");
      for (Probe tp : tps.subList(0, 3)) {
        ProbeCounters c = tp.counters();
        assertEquals(n, c.calls(), tp.name() + " calls");
        assertEquals(n, c.returns(), tp.name() + " returns");
        assertEquals(
            n, Arrays.stream(c.latencyBucketCounts()).sum(), tp.name() + " histogram count");
        assertTrue(c.latencySumNs() > 0);
        assertEquals(
            0,
            c.droppedRingFull()
                + c.droppedRateLimited()
                + c.droppedPairingEvicted()
                + c.droppedDecodeFailed());
        assertEquals(0, c.attachedProbes());
        assertTrue(c.probeRunCount() >= 2L * n, "run count " + c.probeRunCount());
      }
    }
  }

  private static void check(List<String> truth, List<Row> rows, int pid) {
    List<Row> add3 = rows.stream().filter(r -> r.function().equals("add3")).toList();
    List<Row> greet = rows.stream().filter(r -> r.function().equals("greet")).toList();
    List<Row> chain = rows.stream().filter(r -> r.function().equals("chain")).toList();
    int ia = 0, ig = 0, ic = 0;
    long now = System.currentTimeMillis() * 1_000_000L;
    for (String line : truth) {
      String[] f = line.split(" ");
      switch (f[0]) {
        case "add3" -> {
          Row r = add3.get(ia++);
          assertEquals(
              Map.of(
                  "a",
                  Long.parseLong(f[1]),
                  "b",
                  Long.parseLong(f[2]),
                  "c",
                  Long.parseLong(f[3]),
                  "ret",
                  Long.parseLong(f[4])),
              r.captures(),
              line);
          assertEquals(pid, r.pid());
          assertEquals(-1, r.goid());
          assertTrue(
              r.latencyNs() > 0 && r.latencyNs() < 1_000_000_000L, "latency " + r.latencyNs());
          assertTrue(
              Math.abs(r.epochNanos() - now) < 120_000_000_000L, "timestamp " + r.epochNanos());
        }
        case "greet" -> {
          Row r = greet.get(ig++);
          String expected = f[1].equals("BIG") ? "x".repeat(64) + "…" : f[1];
          assertEquals(expected, r.captures().get("s"), line);
          assertEquals(Long.parseLong(f[2]), r.captures().get("ret"), line);
        }
        case "chain" -> {
          Row r = chain.get(ic++);
          int tag = Integer.parseInt(f[1]);
          assertEquals((long) tag, r.captures().get("tag"), line);
          assertEquals(Long.parseLong(f[3]), r.captures().get("ret"), line);
          if (f[2].equals("set")) {
            assertEquals(
                Map.of("id", tag * 11L, "name", "inner-name"), r.captures().get("in"), line);
            assertTrue(r.errors().isEmpty(), r.errors().toString());
          } else {
            assertNull(r.captures().get("in"), line);
            assertTrue(r.errors().get("in").contains("0x0 (nil pointer)"), r.errors().toString());
          }
        }
        default -> {}
      }
    }
    assertEquals(add3.size(), ia, "rows for add3");
    assertEquals(greet.size(), ig, "rows for greet");
    assertEquals(chain.size(), ic, "rows for chain");
    assertTrue(ia > 0 && ig > 0 && ic > 0);
  }
}
