package dev.dynlog.dwarf;

import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.Variable;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One cold measurement, meant to run in a fresh JVM ({@link DwarfBenchmarkTest} starts it): open a
 * binary, find one function and resolve its parameters' types (then runtime.g, as the Go tracer
 * does), then print the wall times and the peak heap (sum of the heap pools' peaks) and
 * direct/mapped buffer memory.
 */
public final class BenchmarkMain {
  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    long opened;
    long found;
    List<Function> fs;
    try (DwarfBinary b = DwarfBinary.open(Path.of(args[0]))) {
      opened = System.nanoTime();
      fs = b.lookup(args[1]);
      found = System.nanoTime();
      int params = 0;
      for (Function f : fs) {
        for (Variable v : f.parameters()) {
          v.type().stripped();
          params++;
        }
      }
      long done = System.nanoTime();
      // What the Go tracer needs next: runtime.g's goid and stack.hi offsets.
      var g = b.type("runtime.g").orElseThrow().stripped();
      long goid = g.member("goid").offset();
      long stackHi = g.member("stack").type().stripped().member("hi").offset();
      long typed = System.nanoTime();
      long peakHeap = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) peakHeap += pool.getPeakUsage().getUsed();
      }
      long direct = 0;
      long mapped = 0;
      for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
        if (pool.getName().equals("direct")) direct = pool.getMemoryUsed();
        if (pool.getName().equals("mapped")) mapped = pool.getMemoryUsed();
      }
      System.gc();
      long retained = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      Function f = fs.get(0);
      System.out.printf(
          "bench: open_ms=%.1f lookup_ms=%.1f params_ms=%.1f total_ms=%.1f runtime_g_ms=%.1f (goid@%d stack.hi@%d)"
              + " peak_heap_mb=%.1f retained_heap_mb=%.1f"
              + " direct_mb=%.1f mapped_mb=%.1f matches=%d params=%d entry=0x%x signature=%s%n",
          (opened - t0) / 1e6,
          (found - opened) / 1e6,
          (done - found) / 1e6,
          (done - t0) / 1e6,
          (typed - done) / 1e6,
          goid,
          stackHi,
          peakHeap / 1048576.0,
          retained / 1048576.0,
          direct / 1048576.0,
          mapped / 1048576.0,
          fs.size(),
          params,
          f.lowPc(),
          f.name()
              + "("
              + f.parameters().stream()
                  .map(v -> v.name() + " " + v.type().displayName())
                  .collect(Collectors.joining(", "))
              + ")");
    }
  }
}
