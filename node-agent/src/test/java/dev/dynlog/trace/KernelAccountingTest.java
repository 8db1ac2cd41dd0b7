package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.plan.ProbePlan;
import dev.dynlog.recipe.RecipeLimits;
import dev.dynlog.recipe.Register;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The kernel-side accounting: every call is counted and timed whether or not its row is emitted,
 * and rows delivered + rows dropped (rate limit, sampling, full ring) == calls, exactly.
 */
@Tag("bpf")
class KernelAccountingTest {
  static final String SOURCE =
      """
      #include <stdio.h>
      #include <stdlib.h>
      #include <string.h>
      #include <time.h>
      __attribute__((noinline)) long hot(long i, const char *s) { return i + (long)strlen(s); }
      static long long now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
      }
      int main(int argc, char **argv) {
        long n = atol(argv[1]);
        char line[16], s[1001];
        memset(s, 'y', 1000);
        s[1000] = 0;
        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("ready\\n");
        if (!fgets(line, sizeof line, stdin)) return 2;
        long sum = 0;
        for (long i = 0; i < n; i++) {
          if (i < 10) {
            long long t0 = now();
            sum += hot(i, s);
            printf("%ld %lld %lld\\n", i, t0, now());
          } else {
            sum += hot(i, s);
          }
        }
        printf("sum %ld\\n", sum);
        return 0;
      }
      """;

  static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
  static Tracer tracer;
  static Path bin;

  @BeforeAll
  static void open() throws Exception {
    bin = Targets.buildC("hot", SOURCE, "-g", "-O2");
    tracer = Tracer.open();
  }

  @AfterAll
  static void close() {
    if (tracer != null) tracer.close();
  }

  static ProbePlan plan(int cap) {
    return Plans.c(
        bin,
        "hot",
        List.of(
            Plans.signed("i", false, Register.RDI, 8),
            Plans.cString("s", Register.RSI, cap),
            Plans.signed("ret", true, Register.RAX, 8)));
  }

  record Outcome(List<Row> rows, ProbeCounters counters, List<String> truth) {}

  static Outcome trace(int calls, TraceOptions opts, int cap, CountDownLatch gate)
      throws Exception {
    List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    try (TargetProcess t = TargetProcess.startPlain(bin, String.valueOf(calls))) {
      Probe tp =
          tracer.attach(
              plan(cap),
              Target.process((int) t.pid()),
              opts,
              r -> {
                try {
                  gate.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                rows.add(r);
              });
      t.release();
      List<String> truth = t.finishLines(RUN_TIMEOUT);
      gate.countDown();
      tp.close();
      return new Outcome(rows, tp.counters(), truth);
    }
  }

  static void assertExactCounts(int calls, Outcome o) {
    ProbeCounters c = o.counters();
    assertEquals(calls, c.calls(), c.toString());
    assertEquals(calls, c.returns(), c.toString());
    assertEquals(calls, Arrays.stream(c.latencyBucketCounts()).sum(), "histogram total");
    assertEquals(
        o.rows().size() + c.droppedRateLimited() + c.droppedRingFull(),
        calls,
        "rows + dropped == calls: " + c);
    assertEquals(0, c.droppedPairingEvicted() + c.droppedDecodeFailed());
    assertTrue(c.probeRunTimeNs() > 0 && c.probeRunCount() == 2L * calls, c.toString());
  }

  @Test
  void everyCallIsCountedTimedAndItsWallClockTimeIsRight() throws Exception {
    int calls = 2000;
    Outcome o = trace(calls, TraceOptions.defaults().withLatency(true), 16, new CountDownLatch(0));
    assertExactCounts(calls, o);
    assertEquals(calls, o.rows().size());
    for (int i = 0; i < 10; i++) {
      String[] f = o.truth().get(i).split(" ");
      Row r = o.rows().get(i);
      assertEquals((long) i, r.captures().get("i"));
      assertEquals("y".repeat(16) + "…", r.captures().get("s"));
      long before = Long.parseLong(f[1]), after = Long.parseLong(f[2]);
      assertTrue(
          r.epochNanos() >= before - 200_000 && r.epochNanos() <= after + 200_000,
          "entry time "
              + r.epochNanos()
              + " not within the call's ["
              + before
              + ", "
              + after
              + "]");
      assertTrue(
          r.latencyNs() > 0 && r.latencyNs() <= after - before,
          "latency " + r.latencyNs() + " > " + (after - before));
    }
    long sum = 0;
    for (Row r : o.rows()) sum += (Long) r.captures().get("ret");
    assertEquals("sum " + sum, o.truth().get(o.truth().size() - 1));
  }

  @Test
  void rateLimitThinsRowsButCountsEveryCall() throws Exception {
    int calls = 20_000;
    long rate = 100;
    long t0 = System.nanoTime();
    Outcome o =
        trace(
            calls,
            TraceOptions.defaults().withLatency(true).withMaxEventsPerSecond(rate),
            16,
            new CountDownLatch(0));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertExactCounts(calls, o);
    int rows = o.rows().size();
    assertTrue(
        rows >= rate && rows <= rate + rate * seconds + 1,
        rows + " rows in " + seconds + " s at " + rate + "/s");
    assertTrue(o.counters().droppedRateLimited() > 0);
  }

  @Test
  void samplingEmitsTheRatioAndCountsTheRest() throws Exception {
    int calls = 20_000;
    Outcome o =
        trace(
            calls,
            TraceOptions.defaults().withLatency(true).withSampleRatio(0.25),
            16,
            new CountDownLatch(0));
    assertExactCounts(calls, o);
    int rows = o.rows().size();
    assertTrue(
        Math.abs(rows - calls * 0.25) < 5 * Math.sqrt(calls * 0.25 * 0.75),
        rows + " rows sampled of " + calls);
  }

  @Test
  void aFullRingDropsRowsAndCountsThem() throws Exception {
    int calls = 40_000; // ~600 bytes per call with 500-byte strings: more than the 8 MiB ring
    CountDownLatch gate = new CountDownLatch(1); // the sink blocks until the target has exited
    Outcome o = trace(calls, TraceOptions.defaults().withLatency(true), 500, gate);
    assertExactCounts(calls, o);
    assertTrue(o.counters().droppedRingFull() > 0, o.counters().toString());
    for (Row r : o.rows()) assertEquals("y".repeat(500) + "…", r.captures().get("s"));
  }

  /** The one string limit: the program copies up to 512 bytes of the 1000-byte string, no more. */
  @Test
  void aStringIsCutAtTheLimitAndMarkedTruncated() throws Exception {
    int calls = 20;
    Outcome o =
        trace(
            calls,
            TraceOptions.defaults().withLatency(true),
            RecipeLimits.MAX_VALUE_BYTES,
            new CountDownLatch(0));
    assertExactCounts(calls, o);
    assertEquals(calls, o.rows().size());
    for (Row r : o.rows()) assertEquals("y".repeat(512) + "…", r.captures().get("s"));
  }

  /**
   * Run time is measured per probe in the kernel, not apportioned: on the same calls, a probe that
   * copies a 512-byte string and pairs every return costs more per run than one that only counts.
   */
  @Test
  void eachProbesRunTimeIsItsOwn() throws Exception {
    int calls = 20_000;
    try (TargetProcess t = TargetProcess.startPlain(bin, String.valueOf(calls))) {
      Probe counting =
          tracer.attach(
              Plans.c(bin, "hot", List.of()),
              Target.process((int) t.pid()),
              TraceOptions.defaults().withMaxEventsPerSecond(1),
              r -> {});
      Probe copying =
          tracer.attach(
              plan(RecipeLimits.MAX_VALUE_BYTES),
              Target.process((int) t.pid()),
              TraceOptions.defaults().withLatency(true),
              r -> {});
      t.release();
      t.finishLines(RUN_TIMEOUT);
      counting.close();
      copying.close();
      ProbeCounters a = counting.counters();
      ProbeCounters b = copying.counters();
      assertEquals(calls, a.probeRunCount(), "the counting probe runs at each entry");
      assertEquals(
          2L * calls, b.probeRunCount(), "the copying probe runs at each entry and return");
      double perRunA = (double) a.probeRunTimeNs() / a.probeRunCount();
      double perRunB = (double) b.probeRunTimeNs() / b.probeRunCount();
      System.out.printf(
          "BPF run time per run: counting probe %.0f ns, copying probe %.0f ns%n",
          perRunA, perRunB);
      assertTrue(perRunA > 0, "measured: " + a);
      assertTrue(
          perRunB > 1.5 * perRunA,
          "per run: counting " + perRunA + " ns, copying " + perRunB + " ns");
    }
  }
}
