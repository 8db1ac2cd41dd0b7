package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.bpf.BpfException;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.plan.ValuePlan;
import dev.dynlog.recipe.Register;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import dev.dynlog.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attach, detach and unload against the real kernel, observed with bpftool. */
@Tag("bpf")
class TracerLifecycleTest {
  static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

  /** Entries of {@code bpftool -j <what> list} whose prog_id is one of ours. */
  static long countOurs(String what, Set<Integer> progIds) throws Exception {
    JsonNode all = new ObjectMapper().readTree(Tools.run("bpftool", "-j", what, "list"));
    long n = 0;
    for (JsonNode e : all) if (progIds.contains(e.path("prog_id").asInt(-1))) n++;
    return n;
  }

  static Set<Integer> programIds(Tracer t) throws BpfException {
    return Set.of(t.object().programId("dynlog_entry"), t.object().programId("dynlog_return"));
  }

  @Test
  void closeDetachesEveryUprobeAndUnloadsThePrograms() throws Exception {
    Path bin = Targets.buildTraceTarget();
    Tracer tracer = Tracer.open();
    Set<Integer> ours = programIds(tracer);
    try (TargetProcess t = TargetProcess.startPlain(bin, "loop", "50")) {
      ProbePlan plan = GoTraceTest.planFor(bin);
      Probe tp =
          tracer.attach(
              plan,
              Target.process((int) t.pid()),
              TraceOptions.defaults().withLatency(true),
              r -> {});
      int expected = 1 + plan.retFileOffsets().size();
      assertEquals(expected, tp.attachedProbes());
      // uprobe_multi links: one for the entry, one for every RET; else one perf link per uprobe
      boolean multi = tracer.object().multiUprobes();
      assertEquals(
          multi ? 2 : expected, countOurs("link", ours), "bpftool link list while attached");
      assertEquals(
          multi ? 0 : expected, countOurs("perf", ours), "bpftool perf list while attached");
      t.release();
      t.finishLines(RUN_TIMEOUT);
      tp.close();
      assertEquals(0, tp.attachedProbes());
      assertEquals(0, countOurs("link", ours), "bpftool link list after Probe.close");
      assertEquals(0, countOurs("perf", ours), "bpftool perf list after Probe.close");
      assertEquals(51, tp.counters().calls(), "counters stay readable after close");
    } finally {
      tracer.close();
    }
    // a uprobe_multi link lets go of its program after an RCU grace period: the kernel frees it
    // shortly after close, not during it
    long deadline = System.nanoTime() + 10_000_000_000L;
    JsonNode left;
    do {
      left = null;
      for (JsonNode p : new ObjectMapper().readTree(Tools.run("bpftool", "-j", "prog", "list"))) {
        if (ours.contains(p.path("id").asInt())) left = p;
      }
      if (left != null) Thread.sleep(50);
    } while (left != null && System.nanoTime() < deadline);
    assertFalse(left != null, "program still loaded 10 s after close: " + left);
  }

  @Test
  void executableTargetCatchesProcessesStartedLater(@TempDir Path dir) throws Exception {
    // A private copy: a probe on every process of an executable is attached to its file, and other
    // test JVMs may run the shared cached build meanwhile.
    Path bin =
        Files.copy(
            Targets.buildTraceTarget(),
            dir.resolve(Targets.TRACE_BINARY),
            StandardCopyOption.COPY_ATTRIBUTES);
    List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    try (Tracer tracer = Tracer.open()) {
      Probe tp =
          tracer.attach(
              GoTraceTest.planFor(bin), Target.executable(), TraceOptions.defaults(), rows::add);
      List<Integer> pids = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        try (TargetProcess t = TargetProcess.startPlain(bin, "loop", "9")) {
          pids.add((int) t.pid());
          t.release();
          t.finishLines(RUN_TIMEOUT);
        }
      }
      tracer.flush();
      tp.close();
      assertEquals(20, rows.size());
      for (int i = 0; i < 2; i++) {
        int pid = pids.get(i);
        List<Object> args =
            rows.stream().filter(r -> r.pid() == pid).map(r -> r.captures().get("a")).toList();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), args, "pid " + pid);
      }
    }
  }

  @Test
  void badTargetsGiveOneClearMessage() throws Exception {
    Path bin = Targets.buildTraceTarget();
    try (Tracer tracer = Tracer.open()) {
      TracerException noPid =
          assertThrows(
              TracerException.class,
              () ->
                  tracer.attach(
                      GoTraceTest.planFor(bin),
                      Target.process(999_999_999),
                      TraceOptions.defaults(),
                      r -> {}));
      assertEquals("no process with pid 999999999", noPid.getMessage());
      ProbePlan plan = GoTraceTest.planFor(bin);
      ProbePlan missing =
          new ProbePlan(
              "/nonexistent/bin",
              null,
              plan.function(),
              plan.language(),
              plan.entryAddress(),
              plan.entryFileOffset(),
              plan.retAddresses(),
              plan.retFileOffsets(),
              plan.values(),
              plan.goRuntime());
      TracerException noBin =
          assertThrows(
              TracerException.class,
              () -> tracer.attach(missing, Target.executable(), TraceOptions.defaults(), r -> {}));
      assertEquals("binary /nonexistent/bin does not exist", noBin.getMessage());
      List<ValuePlan> many = new ArrayList<>();
      for (int i = 0; i < 17; i++) many.add(Plans.signed("v" + i, false, Register.RAX, 8));
      ProbePlan tooMany =
          new ProbePlan(
              plan.binaryPath(),
              null,
              plan.function(),
              plan.language(),
              plan.entryAddress(),
              plan.entryFileOffset(),
              plan.retAddresses(),
              plan.retFileOffsets(),
              many,
              plan.goRuntime());
      TracerException limits =
          assertThrows(
              TracerException.class,
              () -> tracer.attach(tooMany, Target.executable(), TraceOptions.defaults(), r -> {}));
      assertTrue(
          limits.getMessage().contains("17 reads at entry, the BPF program reads at most 16"),
          limits.getMessage());
      long beyond = Files.size(bin) + 4096;
      ProbePlan outside =
          new ProbePlan(
              plan.binaryPath(),
              null,
              plan.function(),
              plan.language(),
              plan.entryAddress(),
              beyond,
              plan.retAddresses(),
              plan.retFileOffsets(),
              plan.values(),
              plan.goRuntime());
      TracerException kernel =
          assertThrows(
              TracerException.class,
              () -> tracer.attach(outside, Target.executable(), TraceOptions.defaults(), r -> {}));
      assertTrue(
          kernel
              .getMessage()
              .startsWith(
                  "main.F: cannot attach a uprobe to "
                      + bin
                      + " at file offset 0x"
                      + Long.toHexString(beyond)
                      + ": "),
          kernel.getMessage());
      assertEquals(1, kernel.getMessage().lines().count(), kernel.getMessage());
      assertTrue(
          kernel
              .details()
              .startsWith(
                  tracer.object().multiUprobes() ? "kernel: bpf(BPF_LINK_CREATE)" : "libbpf: "),
          "libbpf's or the kernel's own words: " + kernel.details());
    }
  }
}
