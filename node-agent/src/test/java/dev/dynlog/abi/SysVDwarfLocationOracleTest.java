package dev.dynlog.abi;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dynlog.dwarf.DwarfBinary;
import dev.dynlog.plan.ProbePlanner;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.symbols.Variable;
import dev.dynlog.testing.CppVariant;
import dev.dynlog.testing.Targets;
import dev.dynlog.testing.Tools;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The System V replay agrees with what g++ and clang++ say (optimised builds) about where each
 * parameter is at a function's first instruction, for every function of the C++ target that has
 * such a location: the target's own functions and the libstdc++ templates instantiated into it. A
 * value passed by invisible reference appears in DWARF as memory at a register ({@code DW_OP_breg5
 * RDI+0}). GCC clones whose signature the compiler changed ({@code [clone .isra.0]}) are refused by
 * the planner.
 */
@Tag("toolchain")
class SysVDwarfLocationOracleTest {

  static List<CppVariant> optimisedVariants() {
    return Targets.cppVariants().stream().filter(v -> v.optLevel().equals("O2")).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("optimisedVariants")
  void systemVAgreesWithTheCompilersEntryLocations(CppVariant variant) throws Exception {
    Path binary = Targets.build(variant);
    List<DwarfEntryLocations.Subprogram> subs =
        DwarfEntryLocations.read(Tools.find("llvm-dwarfdump", "llvm-dwarfdump-14"), binary);
    StringBuilder problems = new StringBuilder();
    int compared = 0;
    int mismatches = 0;
    int indirect = 0;
    int clones = 0;
    try (DwarfBinary bin = DwarfBinary.open(binary)) {
      ProbePlanner planner = new ProbePlanner(bin);
      Map<Long, Function> byAddress = new HashMap<>();
      for (String name : bin.functionNames(null)) {
        try {
          for (Function f : bin.lookup(name)) byAddress.putIfAbsent(f.lowPc(), f);
        } catch (ResolveException e) {
          // a name the index lists but cannot resolve is the DWARF reader's concern, not the ABI's
        }
      }
      for (DwarfEntryLocations.Subprogram sub : subs) {
        Function f = byAddress.get(sub.lowPc());
        if (f == null) continue;
        CallLayout layout;
        try {
          layout = planner.layout(f);
        } catch (ResolveException e) {
          if (!e.getMessage().contains("compiler clone")) throw e;
          clones++;
          continue;
        }
        List<Variable> args = f.arguments();
        Map<String, Integer> seen = new HashMap<>();
        for (DwarfEntryLocations.Param p : sub.params()) {
          if (p.name() == null) continue;
          // Parameter packs repeat a name (__args): the k-th DWARF one is the k-th of the reader's.
          int k = seen.merge(p.name(), 1, Integer::sum);
          if (p.pieces() == null || p.pieces().isEmpty()) continue;
          int idx = -1;
          for (int i = 0, n = 0; i < args.size() && idx < 0; i++) {
            if (p.name().equals(args.get(i).name()) && ++n == k) idx = i;
          }
          if (idx < 0) continue;
          Location loc = layout.arguments().get(idx);
          String why = disagreement(p.pieces(), loc, sub.frameBase());
          compared++;
          if (loc.indirect()) indirect++;
          if (why != null) {
            mismatches++;
            if (problems.length() < 20_000) {
              problems
                  .append("\n  ")
                  .append(f.name())
                  .append(' ')
                  .append(p.name())
                  .append(": DWARF says ")
                  .append(p.pieces())
                  .append(", we say ")
                  .append(loc.describe())
                  .append(" (")
                  .append(why)
                  .append(')');
            }
          }
        }
      }
    }
    System.out.printf(
        "%s: %d parameters' entry locations compared with the System V replay (%d by invisible"
            + " reference), %d disagree; %d GCC clones (.isra/.constprop/.part) refused by the planner%n",
        binary, compared, indirect, mismatches, clones);
    if (mismatches > 0)
      fail(mismatches + " disagreements with the compiler's DWARF in " + binary + ":" + problems);
    assertTrue(compared >= 50, "too few parameters compared: " + compared);
    assertTrue(indirect > 0, "no parameter passed by invisible reference was compared");
  }

  private static String disagreement(
      List<DwarfEntryLocations.Piece> pieces, Location loc, String frameBase) {
    DwarfEntryLocations.Piece first = pieces.get(0);
    if (pieces.size() == 1 && first.memoryBase() != null) {
      if (!loc.indirect()) return "DWARF says memory at " + first.memoryBase();
      Slot s = loc.slots().get(0);
      return s.kind() == Slot.Kind.GPR
              && s.register().name().equals(first.memoryBase())
              && first.memoryOffset() == 0
          ? null
          : "pointer register";
    }
    if (loc.indirect()) return "we say indirect";
    if (pieces.size() == 1 && first.fbreg() != null) {
      if (!loc.onStack()) return "DWARF says stack";
      long rspOffset = loc.slots().get(0).stackOffset();
      long expected =
          "DW_OP_call_frame_cfa".equals(frameBase)
              ? rspOffset - 8
              : "DW_OP_reg7 RSP".equals(frameBase) ? rspOffset : Long.MIN_VALUE;
      if (expected == Long.MIN_VALUE) return null; // a frame base this oracle does not model
      return first.fbreg() == expected
          ? null
          : "stack offset " + expected + " vs fbreg " + first.fbreg();
    }
    // Registers: each located piece covers bytes [offset, offset + size) of the value (padding is
    // an
    // empty piece, or omitted at the end); the slot holding those bytes must be that register.
    long offset = 0;
    for (DwarfEntryLocations.Piece p : pieces) {
      if (p.located()) {
        if (p.register() == null) return "piece at " + offset + " is not a register";
        Slot s = null;
        for (Slot c : loc.slots()) if (offset >= c.valueOffset() && offset < c.valueEnd()) s = c;
        if (s == null) return "no slot holds offset " + offset;
        String ours =
            s.kind() == Slot.Kind.GPR
                ? s.register().name()
                : s.kind() == Slot.Kind.XMM ? "XMM" + s.xmm() : "stack";
        if (!ours.equals(p.register()))
          return "offset " + offset + ": " + ours + " vs " + p.register();
      }
      if (p.size() < 0) break;
      offset += p.size();
    }
    return null;
  }
}
