package dev.dynlog.abi;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dynlog.dwarf.DwarfBinary;
import dev.dynlog.plan.ProbePlanner;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.Variable;
import dev.dynlog.testing.Testdata;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Quick tier: the calling-convention replays against the compilers' own DWARF on the checked-in
 * fixtures, as {@link GoDwarfLocationOracleTest} and {@link SysVDwarfLocationOracleTest} do on
 * freshly built binaries. Wherever a parameter's location (list entry) starts at the function's
 * first instruction in the stored {@code llvm-dwarfdump} output, each register and stack piece it
 * names must be the slot the replay assigns to the same bytes: Go's register ABI (ints, a string, a
 * struct split over four registers, a struct spilled to the stack between two register arguments,
 * slices, a float, a method receiver) and System V (small structs classified per eightbyte, a
 * struct in memory, a hidden return pointer shifting the arguments, stack arguments after six
 * registers, a C++ class passed by invisible reference, {@code this}).
 */
class AbiFixtureTest {

  @Test
  void goRegisterAbiAgreesWithTheCompilersEntryLocations() throws Exception {
    List<DwarfEntryLocations.Subprogram> subs = DwarfEntryLocations.parse(Testdata.GO.dwarfdump());
    StringBuilder problems = new StringBuilder();
    int compared = 0;
    Set<String> kinds = new HashSet<>();
    try (DwarfBinary bin = DwarfBinary.open(Testdata.GO.binary())) {
      for (DwarfEntryLocations.Subprogram sub : subs) {
        if (!sub.name().startsWith("main.")) continue;
        Function f = bin.lookup(sub.name()).get(0);
        CallLayout layout = CallingConvention.of(f).layout(f);
        List<Variable> args = f.arguments();
        for (DwarfEntryLocations.Param p : sub.params()) {
          if (p.result() || p.pieces() == null || p.pieces().isEmpty()) continue;
          int idx = indexOf(args, p.name());
          if (idx < 0) {
            problems.append("\n  ").append(sub.name()).append(": no argument ").append(p.name());
            continue;
          }
          Location loc = layout.arguments().get(idx);
          String why = goDisagreement(p.pieces(), loc);
          compared++;
          kinds.add(loc.onStack() ? "stack" : loc.slots().size() > 2 ? "split" : "registers");
          if (why != null) {
            problems
                .append("\n  ")
                .append(sub.name())
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
    System.out.printf(
        "go fixture: %d parameters' entry locations compared with the Go ABI replay%n", compared);
    if (problems.length() > 0) fail("disagreements with the Go compiler's DWARF:" + problems);
    assertTrue(compared >= 15, "too few parameters compared: " + compared);
    assertTrue(
        kinds.containsAll(Set.of("stack", "split", "registers")), "kinds compared: " + kinds);
  }

  static List<Testdata> optimisedSystemV() {
    return List.of(Testdata.C_O2, Testdata.C_O2_ZLIB, Testdata.CPP_O2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("optimisedSystemV")
  void systemVAgreesWithTheCompilersEntryLocations(Testdata t) throws Exception {
    List<DwarfEntryLocations.Subprogram> subs = DwarfEntryLocations.parse(t.dwarfdump());
    StringBuilder problems = new StringBuilder();
    int compared = 0;
    int indirect = 0;
    int stack = 0;
    try (DwarfBinary bin = DwarfBinary.open(t.binary())) {
      ProbePlanner planner = new ProbePlanner(bin);
      for (DwarfEntryLocations.Subprogram sub : subs) {
        Function f = null;
        for (String name : bin.functionNames(null)) {
          for (Function c : bin.lookup(name)) if (c.lowPc() == sub.lowPc()) f = c;
        }
        if (f == null) continue;
        CallLayout layout = planner.layout(f);
        List<Variable> args = f.arguments();
        for (DwarfEntryLocations.Param p : sub.params()) {
          if (p.name() == null || p.pieces() == null || p.pieces().isEmpty()) continue;
          int idx = indexOf(args, p.name());
          if (idx < 0) continue;
          Location loc = layout.arguments().get(idx);
          String why = systemVDisagreement(p.pieces(), loc, sub.frameBase());
          compared++;
          if (loc.indirect()) indirect++;
          if (loc.onStack()) stack++;
          if (why != null) {
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
    System.out.printf(
        "%s: %d parameters' entry locations compared with the System V replay (%d by invisible"
            + " reference, %d on the stack)%n",
        t, compared, indirect, stack);
    if (problems.length() > 0)
      fail("disagreements with the compiler's DWARF in " + t + ":" + problems);
    assertTrue(compared >= 10, "too few parameters compared: " + compared);
    if (t.equals(Testdata.CPP_O2)) {
      assertTrue(indirect > 0, "shop::tagId's Tag travels by invisible reference");
    } else {
      assertTrue(
          stack >= 2,
          "big_sum's struct and many's 7th and 8th arguments are on the stack: " + stack);
    }
  }

  private static int indexOf(List<Variable> args, String name) {
    for (int i = 0; i < args.size(); i++) if (name.equals(args.get(i).name())) return i;
    return -1;
  }

  /** As GoDwarfLocationOracleTest: why our Go location differs from the DWARF pieces, or null. */
  private static String goDisagreement(List<DwarfEntryLocations.Piece> pieces, Location loc) {
    if (loc.indirect()) return "we say indirect";
    List<Slot> slots = loc.slots();
    DwarfEntryLocations.Piece first = pieces.get(0);
    if (loc.onStack()) {
      // DWARF's frame base is the CFA, RSP+8 at entry.
      long ours = slots.get(0).stackOffset() - 8;
      if (first.fbreg() == null) return "DWARF says a register";
      return first.fbreg() == ours ? null : "stack offset " + ours + " vs fbreg " + first.fbreg();
    }
    if (first.fbreg() != null) return "DWARF says the stack";
    long offset = 0;
    for (DwarfEntryLocations.Piece p : pieces) {
      if (p.register() != null) {
        Slot s = slotAt(slots, offset);
        if (s == null) return "no slot holds offset " + offset;
        if (!name(s).equals(p.register()))
          return "offset " + offset + ": " + name(s) + " vs " + p.register();
        if (p.size() > 0 && p.size() != s.size())
          return "offset " + offset + " size " + s.size() + " vs " + p.size();
      }
      if (p.size() < 0) break;
      offset += p.size();
    }
    return null;
  }

  /**
   * As SysVDwarfLocationOracleTest: why our System V location differs from the DWARF pieces, or
   * null.
   */
  private static String systemVDisagreement(
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
      if (expected == Long.MIN_VALUE) return "frame base " + frameBase + " is not modelled";
      return first.fbreg() == expected
          ? null
          : "stack offset " + expected + " vs fbreg " + first.fbreg();
    }
    long offset = 0;
    for (DwarfEntryLocations.Piece p : pieces) {
      if (p.located()) {
        if (p.register() == null) return "piece at " + offset + " is not a register";
        Slot s = slotAt(loc.slots(), offset);
        if (s == null) return "no slot holds offset " + offset;
        if (!name(s).equals(p.register()))
          return "offset " + offset + ": " + name(s) + " vs " + p.register();
      }
      if (p.size() < 0) break;
      offset += p.size();
    }
    return null;
  }

  private static Slot slotAt(List<Slot> slots, long offset) {
    for (Slot c : slots) if (offset >= c.valueOffset() && offset < c.valueEnd()) return c;
    return null;
  }

  private static String name(Slot s) {
    return s.kind() == Slot.Kind.GPR
        ? s.register().name()
        : s.kind() == Slot.Kind.XMM ? "XMM" + s.xmm() : "stack";
  }
}
