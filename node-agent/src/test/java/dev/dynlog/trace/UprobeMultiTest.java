package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.bpf.BpfObject;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uprobes as uprobe_multi links (one link per site kind, detached with one kernel synchronisation),
 * and the perf-event links kept for kernels without them.
 */
@Tag("bpf")
class UprobeMultiTest {
  static final int PROBES = 100;

  /** Detaching 100 perf-event probes concurrently took about 10 s on this kernel (6.18). */
  static final long MAX_DETACH_MS = 3_000;

  @Test
  void aHundredProbesOnOneFunctionDetachFast(@TempDir Path dir) throws Exception {
    // a private copy: probes on every process of an executable attach to its inode
    Path bin =
        Files.copy(
            Targets.buildTraceTarget(),
            dir.resolve(Targets.TRACE_BINARY),
            StandardCopyOption.COPY_ATTRIBUTES);
    ProbePlan plan = GoTraceTest.planFor(bin);
    try (Tracer tracer = Tracer.open()) {
      assertTrue(
          tracer.object().multiUprobes(),
          "this kernel (" + System.getProperty("os.version") + ") has uprobe_multi links (6.6+)");
      List<Probe> probes = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < PROBES; i++)
        probes.add(
            tracer.attach(
                plan, Target.executable(), TraceOptions.defaults().withLatency(true), r -> {}));
      long attachMs = (System.nanoTime() - t0) / 1_000_000;
      int uprobes = 0;
      for (Probe p : probes) uprobes += p.attachedProbes();
      assertEquals(PROBES * (1 + plan.retFileOffsets().size()), uprobes);
      long t1 = System.nanoTime();
      Probe.detachAll(probes);
      long detachMs = (System.nanoTime() - t1) / 1_000_000;
      for (Probe p : probes) {
        assertEquals(0, p.attachedProbes());
        p.close();
      }
      System.out.printf(
          "uprobe_multi: %d probes (%d uprobes, %d links) attached in %d ms, detached in %d ms%n",
          PROBES, uprobes, 2 * PROBES, attachMs, detachMs);
      assertTrue(
          detachMs < MAX_DETACH_MS,
          "detaching " + PROBES + " probes took " + detachMs + " ms (limit " + MAX_DETACH_MS + ")");
    }
  }

  @Test
  void perfEventLinksStillTraceWhenForced() throws Exception {
    Path bin = Targets.buildTraceTarget();
    String before = System.getProperty(BpfObject.MULTI_PROPERTY);
    System.setProperty(BpfObject.MULTI_PROPERTY, "false");
    Tracer tracer;
    try {
      tracer = Tracer.open();
    } finally {
      if (before == null) System.clearProperty(BpfObject.MULTI_PROPERTY);
      else System.setProperty(BpfObject.MULTI_PROPERTY, before);
    }
    try (tracer;
        TargetProcess t = TargetProcess.startPlain(bin, "loop", "9")) {
      assertFalse(tracer.object().multiUprobes(), "forced perf-event links");
      Set<Integer> ours = TracerLifecycleTest.programIds(tracer);
      ProbePlan plan = GoTraceTest.planFor(bin);
      List<Row> rows = Collections.synchronizedList(new ArrayList<>());
      Probe tp =
          tracer.attach(
              plan,
              Target.process((int) t.pid()),
              TraceOptions.defaults().withLatency(true),
              rows::add);
      int expected = 1 + plan.retFileOffsets().size();
      assertEquals(expected, tp.attachedProbes());
      assertEquals(expected, TracerLifecycleTest.countOurs("perf", ours), "bpftool perf list");
      t.release();
      t.finishLines(TracerLifecycleTest.RUN_TIMEOUT);
      tracer.flush();
      tp.close();
      assertEquals(0, TracerLifecycleTest.countOurs("perf", ours), "after Probe.close");
      assertEquals(
          List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L),
          rows.stream().map(r -> r.captures().get("a")).toList());
      for (Row r : rows) {
        assertTrue(r.latencyNs() > 0, "latency from the return uprobes: " + r);
        long a = (Long) r.captures().get("a");
        // F(a, "loop"): -a with an error when a % 3 == 0, else 2a + len("loop")
        assertEquals(a % 3 == 0 ? -a : 2 * a + 4, r.captures().get("ret"), r.toString());
      }
    }
  }
}
