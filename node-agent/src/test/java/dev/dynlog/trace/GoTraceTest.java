package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.plan.ProbePlan;
import dev.dynlog.recipe.Register;
import dev.dynlog.testing.Oracles;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Traces a real Go program (built with default flags) with an entry uprobe and uprobes on every
 * RET, checking every row against the program's own printed ground truth.
 */
@Tag("bpf")
class GoTraceTest {
  static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

  /** A million traced calls: a timeout for correctness, not speed (a loaded machine is slow). */
  static final Duration MILLION_TIMEOUT = Duration.ofMinutes(10);

  static Tracer tracer;
  static Path bin;

  @BeforeAll
  static void open() throws Exception {
    bin = Targets.buildTraceTarget();
    tracer = Tracer.open();
  }

  @AfterAll
  static void close() {
    if (tracer != null) tracer.close();
  }

  static ProbePlan planF() {
    return planFor(bin);
  }

  /** main.F(a int, s string) (int, error): a in RAX, s in RBX/RCX; results RAX and RBX/RCX. */
  static ProbePlan planFor(Path bin) {
    return Plans.go(
        bin,
        "main.F",
        List.of(
            Plans.signed("a", false, Register.RAX, 8),
            Plans.goString("s", false, Register.RBX, Register.RCX, 64),
            Plans.signed("ret", true, Register.RAX, 8),
            Plans.goError("err", Register.RBX, Register.RCX)));
  }

  @Test
  void capturesArgumentsResultsAndErrorsFromThousandGoroutines() throws Exception {
    List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    int perGoroutine = 3;
    try (TargetProcess t = TargetProcess.startPlain(bin, "calls", String.valueOf(perGoroutine))) {
      Probe tp =
          tracer.attach(
              planF(),
              Target.process((int) t.pid()),
              TraceOptions.defaults()
                  .withLatency(true)
                  .withSymbolizer(Oracles.symbolsByAddress(bin)::get),
              rows::add);
      assertEquals(1 + Oracles.retAddresses(bin, "main.F").size(), tp.attachedProbes());
      t.release();
      List<String> truth = t.finishLines(RUN_TIMEOUT);
      tp.close();
      assertEquals(1000 * perGoroutine, truth.size());
      Map<Long, Row> byA = new HashMap<>();
      Set<Long> goids = new HashSet<>();
      for (Row r : rows) {
        assertNull(byA.put((Long) r.captures().get("a"), r), "duplicate row " + r);
        goids.add(r.goid());
      }
      long errors = 0;
      for (String line : truth) {
        String[] f = line.split(" ");
        long a = Long.parseLong(f[1]);
        Row r = byA.get(a);
        assertNotNull(r, "no row for " + line);
        String s = f[2];
        String expected = s.length() <= 64 ? s : s.substring(0, 64) + "…(" + s.length() + " bytes)";
        assertEquals(expected, r.captures().get("s"), line);
        assertEquals(Long.parseLong(f[3]), r.captures().get("ret"), line);
        if (f[4].equals("nil")) {
          assertNull(r.captures().get("err"), line);
        } else {
          errors++;
          assertEquals(f[4], r.captures().get("err"), line);
        }
        assertTrue(r.errors().isEmpty(), r.errors().toString());
        assertEquals(t.pid(), r.pid());
        assertTrue(r.latencyNs() > 0, line);
      }
      assertEquals(truth.size(), rows.size());
      assertTrue(goids.size() > 100, "goroutine ids " + goids.size());
      ProbeCounters c = tp.counters();
      assertEquals(truth.size(), c.calls(), c.toString());
      assertEquals(truth.size(), c.returns(), c.toString());
      assertEquals(errors, c.errors());
      assertEquals(0, c.droppedPairingEvicted() + c.droppedRingFull() + c.droppedDecodeFailed());
    }
  }

  static long fib(int n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
  }

  @Test
  void pairsEveryRecursiveResultWithItsOwnFrame() throws Exception {
    int n = 18;
    List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    ProbePlan plan =
        Plans.go(
            bin,
            "main.Fib",
            List.of(
                Plans.signed("n", false, Register.RAX, 8),
                Plans.signed("ret", true, Register.RAX, 8)));
    try (TargetProcess t = TargetProcess.startPlain(bin, "fib", String.valueOf(n))) {
      Probe tp =
          tracer.attach(
              plan,
              Target.process((int) t.pid()),
              TraceOptions.defaults().withLatency(true),
              rows::add);
      t.release();
      assertEquals(List.of("fib " + n + " " + fib(n)), t.finishLines(RUN_TIMEOUT));
      tp.close();
      long expectedCalls = 2 * fib(n + 1) - 1;
      assertEquals(expectedCalls, rows.size());
      Map<Long, Integer> perArg = new HashMap<>();
      for (Row r : rows) {
        long arg = (Long) r.captures().get("n");
        assertEquals(fib((int) arg), r.captures().get("ret"), "Fib(" + arg + ")");
        perArg.merge(arg, 1, Integer::sum);
      }
      // Fib(n-k) is called fib(k+1) times
      for (int k = 0; k < n; k++)
        assertEquals((int) fib(k + 1), perArg.get((long) (n - k)), "calls of Fib(" + (n - k) + ")");
      assertEquals(expectedCalls, tp.counters().returns());
    }
  }

  @Test
  void pairsCallsThatMigrateBetweenThreads() throws Exception {
    List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    ProbePlan plan =
        Plans.go(
            bin,
            "main.Wait",
            List.of(
                Plans.signed("n", false, Register.RAX, 8),
                Plans.signed("ret", true, Register.RAX, 8)));
    try (TargetProcess t = TargetProcess.startPlain(bin, "migrate")) {
      Probe tp =
          tracer.attach(
              plan,
              Target.process((int) t.pid()),
              TraceOptions.defaults().withLatency(true),
              rows::add);
      t.release();
      List<String> truth = t.finishLines(RUN_TIMEOUT);
      tp.close();
      assertEquals(1000, truth.size());
      Map<Long, Row> byN = new HashMap<>();
      for (Row r : rows) assertNull(byN.put((Long) r.captures().get("n"), r));
      for (String line : truth) {
        String[] f = line.split(" ");
        Row r = byN.get(Long.parseLong(f[1]));
        assertNotNull(r, line);
        assertEquals(Long.parseLong(f[2]), r.captures().get("ret"), line);
        long sleptMs = Long.parseLong(f[1]) % 5;
        assertTrue(r.latencyNs() >= sleptMs * 1_000_000, line + " latency " + r.latencyNs());
      }
      assertEquals(1000, rows.size());
      assertTrue(tp.migratedCalls() > 0, "no call changed threads, the test proves nothing");
      assertEquals(1000, tp.counters().returns());
      assertEquals(0, tp.counters().droppedPairingEvicted());
    }
  }

  @Test
  void stackGrowthRestartIsCountedOnce() throws Exception {
    List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    ProbePlan plan =
        Plans.go(
            bin,
            "main.Grow",
            List.of(
                Plans.signed("n", false, Register.RAX, 8),
                Plans.signed("ret", true, Register.RAX, 8)));
    try (TargetProcess t = TargetProcess.startPlain(bin, "grow")) {
      Probe tp =
          tracer.attach(
              plan,
              Target.process((int) t.pid()),
              TraceOptions.defaults().withLatency(true),
              rows::add);
      t.release();
      List<String> truth = t.finishLines(RUN_TIMEOUT);
      tp.close();
      Map<Long, Row> byN = new HashMap<>();
      for (Row r : rows) assertNull(byN.put((Long) r.captures().get("n"), r));
      for (String line : truth) {
        String[] f = line.split(" ");
        assertEquals(
            Long.parseLong(f[2]), byN.get(Long.parseLong(f[1])).captures().get("ret"), line);
      }
      assertEquals(1000, truth.size());
      assertEquals(1000, rows.size());
      ProbeCounters c = tp.counters();
      assertEquals(1000, c.calls(), c.toString());
      assertEquals(1000, c.returns(), c.toString());
      assertEquals(0, c.droppedPairingEvicted());
      // every goroutine entered Grow twice (before and after morestack): entry + restart + RET hits
      assertTrue(
          c.probeRunCount() > 2 * c.calls(),
          "no stack growth happened: " + c.probeRunCount() + " probe runs");
    }
  }

  @Test
  void recoveredPanicIsCountedAsPairingEviction() throws Exception {
    int n = 40; // MayPanic(n) panics when n % 4 == 0: 10 panics
    List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    ProbePlan plan =
        Plans.go(
            bin,
            "main.MayPanic",
            List.of(
                Plans.signed("n", false, Register.RAX, 8),
                Plans.signed("ret", true, Register.RAX, 8)));
    try (TargetProcess t = TargetProcess.startPlain(bin, "panic", String.valueOf(n))) {
      Probe tp =
          tracer.attach(
              plan,
              Target.process((int) t.pid()),
              TraceOptions.defaults().withLatency(true).withPairingTimeout(Duration.ofMillis(300)),
              rows::add);
      t.release();
      List<String> truth = t.finishLines(RUN_TIMEOUT);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (tp.counters().droppedPairingEvicted() < 10 && System.nanoTime() < deadline)
        Thread.sleep(50);
      Thread.sleep(600); // no further (double) counting
      ProbeCounters c = tp.counters();
      tp.close();
      long panics = truth.stream().filter(l -> l.endsWith("panicked")).count();
      assertEquals(10, panics);
      assertEquals(n, c.calls());
      assertEquals(n - panics, c.returns());
      assertEquals(panics, c.droppedPairingEvicted());
      List<String> returned = truth.stream().filter(l -> !l.endsWith("panicked")).toList();
      assertEquals(returned.size(), rows.size());
      for (int i = 0; i < rows.size(); i++) {
        String[] f = returned.get(i).split(" ");
        assertEquals(Long.parseLong(f[1]), rows.get(i).captures().get("n"));
        assertEquals(Long.parseLong(f[2]), rows.get(i).captures().get("ret"));
      }
    }
  }

  @Test
  void aMillionTracedCallsLeaveTheTargetsOutputAndExitUnchanged() throws Exception {
    int n = 1_000_000;
    String untraced;
    try (TargetProcess t = TargetProcess.startPlain(bin, "bench", String.valueOf(n))) {
      t.release();
      untraced = t.finishLines(RUN_TIMEOUT).get(0).split(" ")[2];
    }
    ProbePlan plan =
        Plans.go(
            bin,
            "main.Bench",
            List.of(
                Plans.signed("a", false, Register.RAX, 8),
                Plans.signed("b", false, Register.RBX, 8),
                Plans.signed("c", false, Register.RCX, 8),
                Plans.signed("ret", true, Register.RAX, 8)));
    long[] rows = new long[1];
    long[] checksum = new long[1];
    try (TargetProcess t = TargetProcess.startPlain(bin, "bench", String.valueOf(n))) {
      Probe tp =
          tracer.attach(
              plan,
              Target.process((int) t.pid()),
              TraceOptions.defaults().withLatency(true),
              r -> {
                rows[0]++;
                long a = (Long) r.captures().get("a");
                assertEquals((a ^ (a * 3)) + a * 7, r.captures().get("ret"));
                checksum[0] += (Long) r.captures().get("ret");
              });
      t.release();
      // a million uprobe traps take 10-25 s here, and far longer on a loaded machine
      List<String> out = t.finishLines(MILLION_TIMEOUT); // exit status 0 is asserted there
      tp.close();
      assertEquals(untraced, out.get(0).split(" ")[2], "the target's own output");
      assertEquals(Long.parseLong(untraced), checksum[0], "sum of the captured results");
      assertEquals(n, rows[0]);
      assertEquals(n, tp.counters().calls());
    }
  }

  @Test
  void targetExitingMidTraceIsNotAnError() throws Exception {
    List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    try (TargetProcess t = TargetProcess.startPlain(bin, "loop", "100")) {
      Probe tp =
          tracer.attach(
              planF(),
              Target.process((int) t.pid()),
              TraceOptions.defaults().withLatency(true),
              rows::add);
      assertTrue(tp.targetAlive());
      t.release();
      t.finishLines(RUN_TIMEOUT);
      tracer.flush();
      assertFalse(tp.targetAlive());
      assertEquals(
          101,
          rows.size(),
          rows.stream()
              .map(r -> r.captures().get("a") + "/" + r.goid() + "/" + r.tid())
              .toList()
              .toString());
      assertEquals(101, tp.counters().calls());
      tp.close();
      assertEquals(0, tp.attachedProbes());
    }
  }
}
