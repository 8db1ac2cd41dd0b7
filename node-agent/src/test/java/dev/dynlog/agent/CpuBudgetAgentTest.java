package dev.dynlog.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.api.v1alpha1.AssignedPod;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.Limits;
import dev.dynlog.api.v1alpha1.PodProbeStatus;
import dev.dynlog.api.v1alpha1.PodState;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.api.v1alpha1.TracepointAssignmentSpec;
import dev.dynlog.proc.ProcessTable;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.testing.FakeContainer;
import dev.dynlog.testing.FakeContainer.Layout;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import dev.dynlog.trace.Row;
import dev.dynlog.trace.Tracer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CPU budget on the real tracer: a tracepoint on a function called in a tight loop trips its
 * budget within seconds, its pod fails with reason CpuBudgetExceeded and the measured figures
 * (checked against the process's own CPU time and call count), its uprobes are gone (the process's
 * kernel time stops), while a tracepoint on a slow function of another pod keeps every row.
 */
@Tag("bpf")
class CpuBudgetAgentTest {

  /** {@code hot}: calls hot() until SIGTERM, prints "hot N"; {@code slow N}: slow() every 20 ms. */
  static final String SOURCE =
      """
      #include <signal.h>
      #include <stdio.h>
      #include <stdlib.h>
      #include <unistd.h>
      static volatile sig_atomic_t stop;
      __attribute__((noinline)) long hot(long i) { __asm__ volatile(""); return i * 2; }
      __attribute__((noinline)) long slow(long i) { __asm__ volatile(""); return i + 1; }
      static void on_term(int s) { (void) s; stop = 1; }
      int main(int argc, char **argv) {
        char line[16];
        setvbuf(stdout, NULL, _IOLBF, 0);
        signal(SIGTERM, on_term);
        printf("ready\\n");
        if (!fgets(line, sizeof line, stdin)) return 2;
        long n = 0, sum = 0;
        if (argv[1][0] == 'h') {
          while (!stop) sum += hot(n++);
          printf("hot %ld %ld\\n", n, sum & 1);
        } else {
          long calls = atol(argv[2]);
          for (; n < calls; n++) { sum += slow(n); usleep(20000); }
          printf("slow %ld\\n", n);
        }
        return 0;
      }
      """;

  static final String NODE = "node-a";
  static final Duration RUN = Duration.ofMinutes(1);
  static final Pattern MESSAGE =
      Pattern.compile(
          "over its CPU budget: ([0-9,]+) calls/s cost ([0-9.]+)% of a core \\(limit 5%\\) for 3"
              + " s; detached until the spec changes\\. Narrow the selector or processName, trace a"
              + " less frequently called function, or raise limits\\.maxCpuPercent");

  final Map<String, List<PodProbeStatus>> reports = new ConcurrentHashMap<>();
  final List<AutoCloseable> cleanup = new ArrayList<>();

  static ProbeSpec probe(String function, Double maxCpuPercent) {
    ProbeSpec p = new ProbeSpec();
    p.setFunction(function);
    p.setCapture(List.of(new Capture("i", "i")));
    p.setLimits(Limits.effective(new Limits(100_000, null, null, null, maxCpuPercent)));
    return p;
  }

  static TracepointAssignment assignment(
      String name, long generation, ProbeSpec probe, String pod, FakeContainer c) {
    AssignedPod p = new AssignedPod(pod, c.podUid(), List.of(c.statusId()));
    p.setContainerNames(Map.of(c.statusId(), "app"));
    TracepointAssignment a = new TracepointAssignment();
    a.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("shop")
            .withName(name + "-" + NODE)
            .withGeneration(generation)
            .build());
    TracepointAssignmentSpec s = new TracepointAssignmentSpec();
    s.setTracepoint(name);
    s.setNodeName(NODE);
    s.setProbe(probe);
    s.setPods(List.of(p));
    a.setSpec(s);
    return a;
  }

  /** utime + stime of a process in seconds, and stime alone, from /proc/PID/stat. */
  static double[] cpuSeconds(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    double utime = Long.parseLong(f[11]) / 100.0, stime = Long.parseLong(f[12]) / 100.0;
    return new double[] {utime + stime, stime};
  }

  PodProbeStatus report(String name) {
    List<PodProbeStatus> r = reports.get("shop/" + name + "-" + NODE);
    return r == null ? null : r.get(0);
  }

  <T extends AutoCloseable> T later(T c) {
    cleanup.add(c);
    return c;
  }

  @Test
  void aHotLoopTripsItsBudgetAndASlowTracepointKeepsRunning(@TempDir Path dir) throws Exception {
    Path bin = Targets.buildC("budgettarget", SOURCE, "-g", "-O2");
    TracepointRegistry registry = new TracepointRegistry(StoreConfig.DEFAULT);
    try (Tracer tracer = Tracer.open()) {
      System.out.println("calibrated: " + tracer.calibrate(dir));
      NodeAgent agent =
          later(
              new NodeAgent(
                  new NodeAgent.Options(NODE, Duration.ofMillis(100), System.err),
                  tracer,
                  registry,
                  ProcessTable.host(),
                  (ns, name, gen, pods) -> reports.put(ns + "/" + name, pods),
                  Clock.systemUTC()));
      FakeContainer hotBox = later(FakeContainer.create(Layout.V2));
      FakeContainer slowBox = later(FakeContainer.create(Layout.V1));
      TargetProcess hot = later(TargetProcess.startPlain(bin, "hot"));
      TargetProcess slow = later(TargetProcess.startPlain(bin, "slow", "400"));
      hot.awaitReady(RUN);
      slow.awaitReady(RUN);
      hotBox.place(hot.pid());
      slowBox.place(slow.pid());
      long attachedAt = System.nanoTime();
      agent.apply(assignment("hot", 1, probe("hot", null), "loop-1", hotBox));
      agent.apply(assignment("slow", 1, probe("slow", null), "web-1", slowBox));
      agent.sync();
      assertEquals(PodState.Attached, report("hot").getState(), report("hot").getMessage());
      assertEquals(PodState.Attached, report("slow").getState(), report("slow").getMessage());
      slow.release();
      double[] cpu0 = cpuSeconds(hot.pid());
      long t0 = System.nanoTime();
      hot.release();
      while (report("hot").getState() == PodState.Attached) {
        assertTrue(System.nanoTime() - t0 < 15_000_000_000L, "not tripped after 15 s");
        Thread.sleep(20);
      }
      double[] cpu1 = cpuSeconds(hot.pid());
      double seconds = (System.nanoTime() - t0) / 1e9;
      double sinceAttach = (System.nanoTime() - attachedAt) / 1e9;
      System.out.printf(
          "tripped %.2f s after the loop started, %.2f s after attaching: %s%n",
          seconds, sinceAttach, report("hot").getMessage());
      assertTrue(
          sinceAttach >= 3 && seconds < 6,
          "3 windows of 1 s after attaching, and within 6 s of the loop: " + sinceAttach);

      PodProbeStatus failed = report("hot");
      assertEquals(PodState.Failed, failed.getState());
      assertEquals(NodeAgent.CPU_BUDGET_EXCEEDED, failed.getReason());
      Matcher m = MESSAGE.matcher(failed.getMessage());
      assertTrue(m.matches(), failed.getMessage());
      double callsPerSecond = Double.parseDouble(m.group(1).replace(",", ""));
      double cpuPercent = Double.parseDouble(m.group(2));
      StoredTracepoint hotTp = registry.find("shop/hot").orElseThrow();
      double kernelRate = hotTp.counters().calls() / seconds;
      double processPercent = (cpu1[0] - cpu0[0]) / seconds * 100;
      System.out.printf(
          "message: %.0f calls/s, %.1f%% CPU; kernel-counted %.0f calls/s over the run; the process"
              + " used %.1f%% of a core (%.1f%% in the kernel)%n",
          callsPerSecond,
          cpuPercent,
          kernelRate,
          processPercent,
          (cpu1[1] - cpu0[1]) / seconds * 100);
      // the process's share of a core varies with the machine's load, so compare what one call
      // costs: the estimate of the last window against the process's own CPU time per call
      double estimatedNsPerCall = cpuPercent / 100 * 1e9 / callsPerSecond;
      double processNsPerCall = processPercent / 100 * 1e9 / kernelRate;
      System.out.printf(
          "per call: estimated %.0f ns, the process's CPU %.0f ns%n",
          estimatedNsPerCall, processNsPerCall);
      assertTrue(cpuPercent > 5, "over the limit: " + cpuPercent);
      assertTrue(
          estimatedNsPerCall > 0.6 * processNsPerCall
              && estimatedNsPerCall < 1.3 * processNsPerCall,
          "the estimated cost per call against the hot process's CPU time per call");
      assertTrue(
          callsPerSecond <= hotTp.counters().calls(), "one second of calls within all of them");
      assertEquals(0, hotTp.counters().attachedProbes());
      assertEquals(1, hotTp.budgetTrips());

      // the traps are gone: the loop now runs in user space only
      double[] k0 = cpuSeconds(hot.pid());
      Thread.sleep(1000);
      double[] k1 = cpuSeconds(hot.pid());
      assertTrue(
          k1[1] - k0[1] < 0.1,
          "kernel time of the hot process after detaching: " + (k1[1] - k0[1]));
      assertTrue(k1[0] - k0[0] > 0.3, "the hot process still runs");

      // the same generation again stays detached; the slow tracepoint kept running
      agent.apply(assignment("hot", 1, probe("hot", null), "loop-1", hotBox));
      agent.sync();
      assertEquals(PodState.Failed, report("hot").getState());
      assertEquals(PodState.Attached, report("slow").getState());
      assertNull(report("slow").getReason());
      StoredTracepoint slowTp = registry.find("shop/slow").orElseThrow();
      assertTrue(slowTp.cpuRatio() < 0.05, "slow costs " + slowTp.cpuRatio());
      assertEquals(0, slowTp.budgetTrips());
      List<String> slowLines = slow.finishLines(RUN);
      tracer.flush();
      assertEquals(List.of("slow 400"), slowLines);
      List<Long> rows =
          List.of(slowTp.buffer().snapshot()).stream()
              .map(Row::captures)
              .map(c -> (Long) c.get("i"))
              .toList();
      assertEquals(400, rows.size(), "every call of slow, before and after hot tripped");
      for (int i = 0; i < rows.size(); i++) assertEquals((long) i, rows.get(i));

      // a new generation with a higher budget attaches again
      agent.apply(assignment("hot", 2, probe("hot", 100.0), "loop-1", hotBox));
      agent.sync();
      assertEquals(PodState.Attached, report("hot").getState(), report("hot").getMessage());
      assertNull(report("hot").getReason());
      hot.terminate();
      String last = hot.finishLines(RUN).get(0);
      long hotCalls = Long.parseLong(last.split(" ")[1]);
      assertTrue(hotTp.counters().calls() <= hotCalls, hotTp.counters().calls() + " > " + hotCalls);
    } finally {
      for (int i = cleanup.size() - 1; i >= 0; i--) cleanup.get(i).close();
    }
  }
}
