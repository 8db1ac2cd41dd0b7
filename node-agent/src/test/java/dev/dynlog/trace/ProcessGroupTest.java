package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.bpf.KernelCounters;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.recipe.Register;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Probes filtered by process group: an inode-wide probe runs in the processes of its groups and in
 * the processes they fork later (from their first call, no polling), and never in another process
 * of the same binary. Every process prints how many calls it made.
 */
@Tag("bpf")
class ProcessGroupTest {
  static final String SOURCE =
      """
      #include <stdio.h>
      #include <stdlib.h>
      #include <sys/wait.h>
      #include <unistd.h>
      __attribute__((noinline)) long hot(long i) { __asm__ volatile(""); return i * 2; }
      static void calls(const char *who, long n) {
        long sum = 0;
        for (long i = 0; i < n; i++) sum += hot(i);
        printf("%s %d %ld\\n", who, getpid(), n);
        fflush(stdout);
      }
      /* forks `children` children, each of which forks `depth` more levels, each calling hot n times */
      static void family(long n, int children, int depth) {
        for (int c = 0; c < children; c++) {
          pid_t p = fork();
          if (p == 0) {
            calls(depth > 1 ? "child" : "leaf", n);
            if (depth > 1) family(n, 1, depth - 1);
            _exit(0);
          }
          waitpid(p, NULL, 0);
        }
      }
      int main(int argc, char **argv) {
        long n = atol(argv[1]);
        int children = atoi(argv[2]), depth = atoi(argv[3]);
        char line[16];
        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("ready\\n");
        if (!fgets(line, sizeof line, stdin)) return 2;
        calls("main", n);
        family(n, children, depth);
        return 0;
      }
      """;
  static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
  static Tracer tracer;
  static Path bin;

  @BeforeAll
  static void open() throws Exception {
    bin = Targets.buildC("forker", SOURCE, "-g", "-O2");
    tracer = Tracer.open();
  }

  @AfterAll
  static void close() {
    if (tracer != null) tracer.close();
  }

  static ProbePlan plan() {
    return Plans.c(bin, "hot", List.of(Plans.signed("i", false, Register.RDI, 8)));
  }

  /** pid → calls, from the lines a run printed ("main|child|leaf PID N"). */
  static Map<Integer, Long> callsByPid(List<String> lines) {
    Map<Integer, Long> out = new HashMap<>();
    for (String l : lines) {
      String[] f = l.split(" ");
      out.put(Integer.parseInt(f[1]), Long.parseLong(f[2]));
    }
    return out;
  }

  @Test
  void aGroupsProcessesAndTheirLaterChildrenAreTracedOthersNever() throws Exception {
    long n = 500;
    List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    List<Integer> childPids = new ArrayList<>();
    try (ProcessGroup group = tracer.newGroup();
        TargetProcess inside = TargetProcess.startPlain(bin, String.valueOf(n), "2", "3");
        TargetProcess outside = TargetProcess.startPlain(bin, String.valueOf(n), "1", "2")) {
      group.add((int) inside.pid());
      Probe probe =
          tracer.attach(plan(), Target.groups(List.of(group)), TraceOptions.defaults(), rows::add);
      inside.release();
      outside.release();
      Map<Integer, Long> traced = callsByPid(inside.finishLines(RUN_TIMEOUT));
      Map<Integer, Long> untraced = callsByPid(outside.finishLines(RUN_TIMEOUT));
      probe.close();
      assertEquals(7, traced.size(), "main, two children and their four descendants: " + traced);
      Map<Integer, Long> rowsByPid = new HashMap<>();
      for (Row r : rows) rowsByPid.merge(r.pid(), 1L, Long::sum);
      assertEquals(
          traced, rowsByPid, "every call of every process of the group, forked ones included");
      for (Row r : rows)
        assertFalse(untraced.containsKey(r.pid()), "a process outside the group: " + r);
      KernelCounters k = probe.kernelCounters();
      assertEquals(7 * n, k.calls());
      assertEquals(3 * n, k.filtered(), "the outside family's calls trap but are not calls");
      for (int pid : traced.keySet()) if (pid != inside.pid()) childPids.add(pid);
      for (int pid : childPids)
        assertFalse(group.contains(pid), "exited process " + pid + " left its group");
    }
  }

  @Test
  void allowChangesTheGroupsWithoutReattaching() throws Exception {
    long n = 200;
    List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    try (ProcessGroup a = tracer.newGroup();
        ProcessGroup b = tracer.newGroup();
        TargetProcess pa = TargetProcess.startPlain(bin, String.valueOf(n), "0", "0");
        TargetProcess pb = TargetProcess.startPlain(bin, String.valueOf(n), "0", "0")) {
      a.add((int) pa.pid());
      b.add((int) pb.pid());
      Probe probe =
          tracer.attach(plan(), Target.groups(List.of(a)), TraceOptions.defaults(), rows::add);
      int attached = probe.attachedProbes();
      probe.allow(List.of(b));
      assertEquals(attached, probe.attachedProbes());
      pa.release();
      pb.release();
      pa.finishLines(RUN_TIMEOUT);
      pb.finishLines(RUN_TIMEOUT);
      probe.close();
      assertEquals(n, rows.size());
      assertTrue(rows.stream().allMatch(r -> r.pid() == pb.pid()), "only group b's process");
    }
  }
}
