package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dynlog.bpf.UprobeLink;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.recipe.Register;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Per-call cost of a traced Go function, three ways in the same run: no probe; the kernel's floor
 * (an empty BPF program on the entry and on every RET, attached the same way); dynlog capturing 3
 * arguments, the result and the latency. Prints figures; asserts only that every call was traced.
 *
 * <p>{@code mvn -Ddynlog.out=target-bpf -pl node-agent -am -Pbenchmark test
 * -Dtest=TracerBenchmarkTest}
 */
@Tag("benchmark")
class TracerBenchmarkTest {
  static final int CALLS = 100_000;
  static final int ROUNDS = 5;
  static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

  @Test
  void dynlogCostComparedWithAnEmptyUprobe() throws Exception {
    Path bin = Targets.buildTraceTarget();
    ProbePlan plan =
        Plans.go(
            bin,
            "main.Bench",
            List.of(
                Plans.signed("a", false, Register.RAX, 8),
                    Plans.signed("b", false, Register.RBX, 8),
                Plans.signed("c", false, Register.RCX, 8),
                    Plans.signed("ret", true, Register.RAX, 8)));
    double[] none = new double[ROUNDS], empty = new double[ROUNDS], dynlog = new double[ROUNDS];
    try (Tracer tracer = Tracer.open()) {
      tracer
          .object()
          .enableRunTimeStats(); // the kernel's own per-program statistics, for comparison
      for (int round = 0; round < ROUNDS; round++) {
        none[round] = run(bin, null);
        empty[round] =
            run(
                bin,
                pid -> {
                  List<UprobeLink> links = new ArrayList<>();
                  links.add(
                      tracer
                          .object()
                          .attachUprobe(
                              "dynlog_empty",
                              pid,
                              plan.binaryPath(),
                              plan.entryFileOffset(),
                              0,
                              false));
                  for (long ret : plan.retFileOffsets()) {
                    links.add(
                        tracer
                            .object()
                            .attachUprobe("dynlog_empty", pid, plan.binaryPath(), ret, 0, false));
                  }
                  return () -> links.forEach(UprobeLink::close);
                });
        AtomicLong rows = new AtomicLong();
        Probe[] tp = new Probe[1];
        dynlog[round] =
            run(
                bin,
                pid -> {
                  tp[0] =
                      tracer.attach(
                          plan,
                          Target.process(pid),
                          TraceOptions.defaults().withLatency(true),
                          r -> rows.incrementAndGet());
                  return tp[0]::close;
                });
        assertEquals(CALLS, rows.get(), "rows");
        assertEquals(CALLS, tp[0].counters().calls(), "calls");
        ProbeCounters c = tp[0].counters();
        System.out.printf(
            "round %d: no probe %.1f ns, empty %.1f ns, dynlog %.1f ns per call;"
                + " dynlog's programs ran %.0f ns per hit (measured per probe in the kernel)%n",
            round,
            none[round],
            empty[round],
            dynlog[round],
            (double) c.probeRunTimeNs() / c.probeRunCount());
      }
      long[] en = tracer.object().programRunStats("dynlog_entry");
      long[] re = tracer.object().programRunStats("dynlog_return");
      long[] em = tracer.object().programRunStats("dynlog_empty");
      System.out.printf(
          "BPF run time per invocation (kernel bpf_stats): dynlog_entry %.0f ns, dynlog_return %.0f ns,"
              + " dynlog_empty %.0f ns%n",
          (double) en[0] / en[1], (double) re[0] / re[1], (double) em[0] / em[1]);
    }
    double n = median(none), e = median(empty), d = median(dynlog);
    System.out.printf(
        "calling thread CPU per call (median of %d runs of %d calls): no probe %.1f ns, empty uprobe entry+RET %.1f ns,"
            + " dynlog 3 args + result + latency %.1f ns%n",
        ROUNDS, CALLS, n, e, d);
    System.out.printf(
        "dynlog / floor = %.3f (median), %.3f (best runs)%n", d / e, min(dynlog) / min(empty));
  }

  interface Attach {
    AutoCloseable attach(int pid) throws Exception;
  }

  /** Runs the target once; returns the calling thread's CPU ns per call (user + system). */
  static double run(Path bin, Attach attach) throws Exception {
    try (TargetProcess t = TargetProcess.startPlain(bin, "bench", String.valueOf(CALLS))) {
      AutoCloseable detach = attach == null ? () -> {} : attach.attach((int) t.pid());
      t.release();
      List<String> out = t.finishLines(RUN_TIMEOUT);
      detach.close();
      String[] f = out.get(0).split(" ");
      return Long.parseLong(f[3])
          / (double) CALLS; // the calling thread's CPU time: robust to machine load
    }
  }

  static double min(double[] v) {
    return Arrays.stream(v).min().orElseThrow();
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
