package dev.dynlog.trace;

import dev.dynlog.plan.Decoder;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.plan.ValuePlan;
import dev.dynlog.recipe.Piece;
import dev.dynlog.recipe.Read;
import dev.dynlog.recipe.Register;
import dev.dynlog.symbols.Language;
import dev.dynlog.testing.Oracles;
import java.nio.file.Path;
import java.util.List;

/**
 * Hand-written probe plans (what the resolver would produce), for tracer tests: addresses, RETs and
 * runtime.g offsets from independent tools ({@link Oracles}), not dynlog's own resolver.
 */
final class Plans {
  private Plans() {}

  static Read reg(Register r, int size) {
    return new Read(
        List.of(Piece.register(r, 8, 0)), false, List.of(), 0, size, Read.Kind.BYTES, 0);
  }

  static ValuePlan signed(String name, boolean atReturn, Register r, int width) {
    return new ValuePlan(
        name,
        name,
        "int" + width * 8,
        atReturn,
        r.name(),
        List.of(reg(r, width)),
        new Decoder.SignedInt(0, width));
  }

  static ValuePlan cString(String name, Register r, int cap) {
    Read read =
        new Read(List.of(Piece.register(r, 8, 0)), false, List.of(), 0, 8, Read.Kind.C_STRING, cap);
    return new ValuePlan(name, name, "char *", false, r.name(), List.of(read), new Decoder.Text(0));
  }

  /** A Go string in two registers (ptr, len). */
  static ValuePlan goString(String name, boolean atReturn, Register ptr, Register len, int cap) {
    Read read =
        new Read(
            List.of(Piece.register(ptr, 8, 0), Piece.register(len, 8, 8)),
            false,
            List.of(),
            0,
            16,
            Read.Kind.GO_STRING,
            cap);
    return new ValuePlan(
        name, name, "string", atReturn, ptr + "," + len, List.of(read), new Decoder.Text(0));
  }

  /** A Go error result in two registers (itab, data). */
  static ValuePlan goError(String name, Register tab, Register data) {
    Read read =
        new Read(
            List.of(Piece.register(tab, 8, 0), Piece.register(data, 8, 8)),
            false,
            List.of(),
            0,
            16,
            Read.Kind.BYTES,
            0);
    return new ValuePlan(
        name, name, "error", true, tab + "," + data, List.of(read), new Decoder.GoInterface(0));
  }

  /** *(base + d0) ... then size bytes at + finalOffset: a field through a pointer chain. */
  static Read chain(
      Register base, List<Long> derefs, long finalOffset, int size, Read.Kind kind, int cap) {
    return new Read(
        List.of(Piece.register(base, 8, 0)), true, derefs, finalOffset, size, kind, cap);
  }

  static ProbePlan c(Path bin, String function, List<ValuePlan> values) {
    long entry = Oracles.symbolAddress(bin, function);
    return new ProbePlan(
        bin.toString(),
        null,
        function,
        Language.C,
        entry,
        Oracles.fileOffset(bin, entry),
        List.of(),
        List.of(),
        values,
        null);
  }

  static ProbePlan go(Path bin, String function, List<ValuePlan> values) {
    long entry = Oracles.symbolAddress(bin, function);
    List<Long> rets = Oracles.retAddresses(bin, function);
    long goid = Oracles.memberOffset(bin, "runtime.g", "goid");
    long stackHi =
        Oracles.memberOffset(bin, "runtime.g", "stack")
            + Oracles.memberOffset(bin, "runtime.stack", "hi");
    long schedPc =
        Oracles.memberOffset(bin, "runtime.g", "sched")
            + Oracles.memberOffset(bin, "runtime.gobuf", "pc");
    return new ProbePlan(
        bin.toString(),
        null,
        function,
        Language.GO,
        entry,
        Oracles.fileOffset(bin, entry),
        rets,
        rets.stream().map(r -> Oracles.fileOffset(bin, r)).toList(),
        values,
        new ProbePlan.GoRuntime(goid, stackHi, schedPc));
  }
}
