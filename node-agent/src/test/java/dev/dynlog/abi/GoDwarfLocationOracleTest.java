package dev.dynlog.abi;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dynlog.dwarf.DwarfBinary;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.symbols.Variable;
import dev.dynlog.testing.GoVariant;
import dev.dynlog.testing.Targets;
import dev.dynlog.testing.Tools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Go register ABI replay agrees with the Go compiler's own DWARF for every function of real
 * binaries (runtime and standard library included): wherever a parameter's location list has an
 * entry starting at the function's first instruction, each register and stack piece it names must
 * be the slot {@link GoRegisterAbi} assigns to the same bytes of the value.
 */
@Tag("toolchain")
class GoDwarfLocationOracleTest {

  static List<GoVariant> goVariants() {
    return Targets.goVariants();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goVariants")
  void registerAbiAgreesWithTheCompilersEntryLocations(GoVariant variant) throws Exception {
    Path binary = Targets.build(variant);
    List<DwarfEntryLocations.Subprogram> subs =
        DwarfEntryLocations.read(Tools.find("llvm-dwarfdump", "llvm-dwarfdump-14"), binary);
    Set<String> abi0Wrapped = abi0Wrapped(binary);
    StringBuilder problems = new StringBuilder();
    int functions = 0;
    int compared = 0;
    int unresolved = 0;
    int mismatches = 0;
    int inconsistent = 0;
    int wrapped = 0;
    int dictionaries = 0;
    try (DwarfBinary bin = DwarfBinary.open(binary)) {
      for (DwarfEntryLocations.Subprogram sub : subs) {
        if (sub.params().stream()
            .noneMatch(p -> !p.result() && p.pieces() != null && !p.pieces().isEmpty())) continue;
        Function f = find(bin, sub);
        if (f == null) {
          unresolved++;
          continue;
        }
        CallLayout layout;
        try {
          layout = CallingConvention.of(f).layout(f);
        } catch (ResolveException e) {
          mismatches++;
          note(problems, sub.name() + ": no layout: " + e.getMessage());
          continue;
        }
        functions++;
        List<Variable> args = f.arguments();
        Set<String> claimedTwice = registersClaimedTwice(sub);
        for (DwarfEntryLocations.Param p : sub.params()) {
          if (p.result() || p.pieces() == null || p.pieces().isEmpty()) continue;
          if (p.name().equals(".dict")) {
            // Go >= 1.26 describes the dictionary by its spill home even at entry; PlanOracleTest
            // shows
            // by the values of the following arguments that it still occupies the first register.
            // When
            // the reader does not list it, GoRegisterAbi adds it back.
            dictionaries++;
            continue;
          }
          int idx = -1;
          for (int i = 0; i < args.size(); i++) if (p.name().equals(args.get(i).name())) idx = i;
          if (idx < 0) {
            mismatches++;
            note(
                problems,
                sub.name()
                    + ": the DWARF lists parameter "
                    + p.name()
                    + " at 0x"
                    + Long.toHexString(sub.lowPc())
                    + " but the DWARF reader gives only "
                    + args.stream().map(Variable::name).toList()
                    + " (it reads the abstract origin's list; later parameters would be misplaced)");
            continue;
          }
          if (abi0Wrapped.contains(sub.name())) {
            wrapped++;
            continue;
          }
          if (!selfConsistent(p.pieces(), TypeLayout.size(args.get(idx).type()))
              || p.pieces().stream().anyMatch(x -> claimedTwice.contains(x.register()))) {
            inconsistent++;
            continue;
          }
          Location loc = layout.arguments().get(idx);
          long size = TypeLayout.size(args.get(idx).type());
          String why = disagreement(p.pieces(), loc, size, spillHomes(f, layout).get(idx));
          compared++;
          if (why != null) {
            mismatches++;
            note(
                problems,
                sub.name()
                    + " "
                    + p.name()
                    + ": DWARF says "
                    + p.pieces()
                    + ", we say "
                    + loc.describe()
                    + " ("
                    + why
                    + ")");
          }
        }
      }
    }
    System.out.printf(
        "%s: %d functions, %d parameters' entry locations agree with the Go ABI replay, %d disagree;"
            + " skipped: %d self-inconsistent DWARF locations, %d parameters of functions with ABI0 wrappers,"
            + " %d generic dictionaries, %d subprograms not resolvable by name%n",
        binary,
        functions,
        compared - mismatches,
        mismatches,
        inconsistent,
        wrapped,
        dictionaries,
        unresolved);
    if (mismatches > 0)
      fail(mismatches + " disagreements with the compiler's DWARF in " + binary + ":" + problems);
    assertTrue(compared > 1000, "too few parameters compared: " + compared);
  }

  private static Function find(DwarfBinary bin, DwarfEntryLocations.Subprogram sub) {
    try {
      for (Function f : bin.lookup(sub.name())) if (f.lowPc() == sub.lowPc()) return f;
    } catch (ResolveException e) {
      return null;
    }
    return null;
  }

  /**
   * Go's DWARF is occasionally wrong about register-split values (an interface or slice listed with
   * a register twice, or more pieces than bytes). Such locations contradict themselves and are
   * skipped: pieces must add up to the type's size (padding omitted) or less, and no register may
   * repeat.
   */
  private static boolean selfConsistent(List<DwarfEntryLocations.Piece> pieces, long size) {
    if (pieces.size() == 1 && pieces.get(0).size() < 0) return true;
    long total = 0;
    Set<String> registers = new HashSet<>();
    for (DwarfEntryLocations.Piece p : pieces) {
      if (p.size() < 0) return false;
      total += p.size();
      if (p.register() != null && !registers.add(p.register())) return false;
    }
    return total <= size;
  }

  /**
   * Registers that two different parameters both claim at entry (Go's DWARF is then wrong about
   * one).
   */
  private static Set<String> registersClaimedTwice(DwarfEntryLocations.Subprogram sub) {
    Set<String> seen = new HashSet<>();
    Set<String> twice = new HashSet<>();
    for (DwarfEntryLocations.Param p : sub.params()) {
      if (p.result() || p.pieces() == null) continue;
      for (DwarfEntryLocations.Piece piece : p.pieces()) {
        if (piece.register() != null && !seen.add(piece.register())) twice.add(piece.register());
      }
    }
    return twice;
  }

  /** Why our location differs from the DWARF pieces, or null when they agree. */
  private static String disagreement(
      List<DwarfEntryLocations.Piece> pieces, Location loc, long size, Long spillHome) {
    if (loc.indirect()) return "we say indirect";
    // A zero-sized value has no bytes: Go's DWARF gives it a stack address, we give it no slot.
    if (loc == Location.EMPTY)
      return pieces.stream().allMatch(p -> p.register() == null)
          ? null
          : "zero-sized in a register?";
    List<Slot> slots = loc.slots();
    DwarfEntryLocations.Piece first = pieces.get(0);
    if (loc.onStack()) {
      // DWARF's frame base is the CFA, RSP+8 at entry.
      long ours = slots.get(0).stackOffset() - 8;
      if (first.fbreg() == null) return "DWARF says a register";
      return first.fbreg() == ours ? null : "stack offset " + ours + " vs fbreg " + first.fbreg();
    }
    if (pieces.size() == 1 && first.fbreg() != null) {
      // Newer Go describes an unused register argument by its (uninitialised) spill home.
      return spillHome != null && first.fbreg().equals(spillHome)
          ? null
          : "DWARF says fbreg " + first.fbreg() + ", our spill home is " + spillHome;
    }
    long total = pieces.stream().mapToLong(p -> Math.max(0, p.size())).sum();
    if (pieces.size() > 1 && total == size) {
      // Padding is described: match each located piece by its byte offset.
      long offset = 0;
      for (DwarfEntryLocations.Piece p : pieces) {
        if (p.register() != null || p.fbreg() != null) {
          String why = pieceAt(p, offset, slots);
          if (why != null) return why;
        }
        offset += p.size();
      }
      return null;
    }
    // Padding is omitted: one DWARF piece per register, in assignment order.
    if (pieces.size() != slots.size())
      return pieces.size() + " pieces vs " + slots.size() + " registers";
    for (int i = 0; i < pieces.size(); i++) {
      DwarfEntryLocations.Piece p = pieces.get(i);
      Slot s = slots.get(i);
      if (p.fbreg() != null) return "DWARF says stack for piece " + i;
      if (p.register() == null) continue;
      if (!name(s).equals(p.register()))
        return "piece " + i + ": " + name(s) + " vs " + p.register();
      if (p.size() > 0 && p.size() != s.size())
        return "piece " + i + " size " + s.size() + " vs " + p.size();
    }
    return null;
  }

  private static String pieceAt(DwarfEntryLocations.Piece p, long offset, List<Slot> slots) {
    for (Slot s : slots) {
      if (s.valueOffset() != offset) continue;
      if (p.register() == null) return "DWARF says stack at offset " + offset;
      if (!name(s).equals(p.register()))
        return "offset " + offset + ": " + name(s) + " vs " + p.register();
      return p.size() == s.size()
          ? null
          : "offset " + offset + " size " + s.size() + " vs " + p.size();
    }
    return "no register holds offset " + offset;
  }

  private static String name(Slot s) {
    return s.kind() == Slot.Kind.GPR
        ? s.register().name()
        : s.kind() == Slot.Kind.XMM ? "XMM" + s.xmm() : "stack";
  }

  /**
   * The CFA-relative spill home of each register-assigned argument (null for others): after the
   * stack arguments and results, pointer-aligned, each argument at its alignment, per
   * abi-internal.md.
   */
  private static List<Long> spillHomes(Function f, CallLayout layout) throws ResolveException {
    long end = 0;
    for (List<Location> locs : List.of(layout.arguments(), layout.results())) {
      for (Location l : locs) {
        if (l.onStack()) {
          Slot s = l.slots().get(0);
          end = Math.max(end, s.stackOffset() - 8 + s.size());
        }
      }
    }
    long at = (end + 7) / 8 * 8;
    List<Long> homes = new ArrayList<>();
    List<Variable> args = f.arguments();
    boolean receiverAdded = GoRegisterAbi.lacksPointerReceiver(f);
    if (receiverAdded) at += 8;
    for (int i = 0; i < args.size(); i++) {
      Location l = layout.arguments().get(i);
      if (l.onStack() || l == Location.EMPTY) {
        homes.add(null);
        continue;
      }
      long align = TypeLayout.alignment(args.get(i).type());
      at = (at + align - 1) / align * align;
      homes.add(at);
      at += TypeLayout.size(args.get(i).type());
    }
    return homes;
  }

  /**
   * Functions that also have an ABI0 wrapper ({@code NAME.abi0} in the symbol table, for callers in
   * assembly). For these Go's DWARF describes the entry as if the arguments were on the stack,
   * while their code (see objdump: {@code runtime.write} stores RAX/RBX/RCX) takes them in
   * registers.
   */
  private static Set<String> abi0Wrapped(Path binary) {
    String nm =
        Tools.run(
            "nm",
            List.of(Tools.find("nm").toString(), "--defined-only", binary.toString()),
            null,
            Map.of(),
            Duration.ofMinutes(1));
    Set<String> out = new HashSet<>();
    for (String line : nm.split("\n")) {
      String[] cols = line.trim().split("\\s+", 3);
      if (cols.length == 3 && cols[2].endsWith(".abi0"))
        out.add(cols[2].substring(0, cols[2].length() - 5));
    }
    return out;
  }

  private static void note(StringBuilder problems, String line) {
    if (problems.length() < 20_000) problems.append("\n  ").append(line);
  }
}
