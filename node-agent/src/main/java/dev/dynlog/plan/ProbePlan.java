package dev.dynlog.plan;

import dev.dynlog.recipe.Read;
import dev.dynlog.symbols.Language;
import java.util.List;

/**
 * Everything the tracer needs to probe one function of one binary.
 *
 * @param binaryPath the binary's path
 * @param buildId its build-id or null
 * @param function the function's qualified name
 * @param language GO selects RET-site uprobes and goroutine pairing; C/CPP use uretprobes
 * @param entryAddress virtual address of the entry
 * @param entryFileOffset file offset of the entry (uprobe attach offset)
 * @param retAddresses virtual addresses of every RET instruction of the function (all its ranges)
 * @param retFileOffsets file offsets of the same RETs
 * @param values captured expressions; those with {@code atReturn} are read at return
 * @param goRuntime offsets inside runtime.g needed for goroutine pairing (Go only, else null)
 * @param errorResult the read of the type word of a Go function's last result when it is an {@code
 *     error}, so the kernel counts non-nil errors exactly whether or not it is captured; or null
 */
public record ProbePlan(
    String binaryPath,
    String buildId,
    String function,
    Language language,
    long entryAddress,
    long entryFileOffset,
    List<Long> retAddresses,
    List<Long> retFileOffsets,
    List<ValuePlan> values,
    GoRuntime goRuntime,
    Read errorResult) {

  /**
   * Offsets of runtime.g fields, from the binary's own DWARF. R14 holds g under the register ABI.
   *
   * @param schedPcOffset offset of {@code g.sched.pc} (runtime.g.sched + runtime.gobuf.pc), or -1
   *     when unknown. The tracer uses it to recognise a function restarted by morestack (stack
   *     growth or a preemption request) as the same call; without it, a restart that did not move
   *     the stack is counted as a new call.
   */
  public record GoRuntime(long goidOffset, long stackHiOffset, long schedPcOffset) {
    public GoRuntime(long goidOffset, long stackHiOffset) {
      this(goidOffset, stackHiOffset, -1);
    }
  }

  /** A plan without an error result to count. */
  public ProbePlan(
      String binaryPath,
      String buildId,
      String function,
      Language language,
      long entryAddress,
      long entryFileOffset,
      List<Long> retAddresses,
      List<Long> retFileOffsets,
      List<ValuePlan> values,
      GoRuntime goRuntime) {
    this(
        binaryPath,
        buildId,
        function,
        language,
        entryAddress,
        entryFileOffset,
        retAddresses,
        retFileOffsets,
        values,
        goRuntime,
        null);
  }

  public ProbePlan {
    retAddresses = List.copyOf(retAddresses);
    retFileOffsets = List.copyOf(retFileOffsets);
    values = List.copyOf(values);
  }

  /**
   * The same plan for the same file reached by another path (the file is identified by the caller,
   * e.g. the same inode opened through another container's root).
   */
  public ProbePlan withBinaryPath(String path) {
    return new ProbePlan(
        path,
        buildId,
        function,
        language,
        entryAddress,
        entryFileOffset,
        retAddresses,
        retFileOffsets,
        values,
        goRuntime,
        errorResult);
  }
}
