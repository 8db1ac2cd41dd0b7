package dev.dynlog.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.abi.DwarfEntryLocations;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.dwarf.DwarfBinary;
import dev.dynlog.dwarf.DwarfdumpOracle;
import dev.dynlog.dwarf.DwarfdumpOracle.ODie;
import dev.dynlog.dwarf.ElfReadelfOracle;
import dev.dynlog.dwarf.ElfReadelfOracle.SectionRow;
import dev.dynlog.dwarf.ElfReadelfOracle.SymbolRow;
import dev.dynlog.recipe.Piece;
import dev.dynlog.recipe.Read;
import dev.dynlog.recipe.Register;
import dev.dynlog.testing.Testdata;
import dev.dynlog.x86.ObjdumpListing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Quick tier: probe plans of capture expressions on the checked-in fixtures, checked against the
 * oracles' output stored with them, without running anything. The entry is the function's symbol
 * ({@code readelf -s}), file offsets follow from {@code readelf -S}, the RET sites are the lines
 * {@code objdump -d} shows as {@code ret}, Go's runtime.g offsets come from {@code llvm-dwarfdump};
 * each value read at entry starts where the compiler's DWARF puts the parameter at the function's
 * first instruction, at the member offsets llvm-dwarfdump shows, and a value that DWARF puts in an
 * XMM register is planned as unavailable. ({@link PlanOracleTest} executes plans under gdb against
 * the targets' printed ground truth.)
 */
class PlanFixtureTest {
  private static final Pattern STEP = Pattern.compile("\\.(\\w+)|->(\\w+)|\\[(\\d+)\\]");
  private static final Map<Testdata, Oracles> ORACLES = new HashMap<>();

  static Stream<Arguments> cases() {
    return Stream.of(
        // Go register ABI: ints of each width, a string, a struct split over four registers, a
        // struct
        // on the stack between two register arguments, slices, a float, a method, an error result.
        Arguments.of(
            Testdata.GO, "main.Ints", "main.Ints", List.of("a=a", "b=b", "c=c", "d=d", "r=$0")),
        Arguments.of(Testdata.GO, "main.Str", "main.Str", List.of("s=s", "n=n", "r=$0")),
        Arguments.of(
            Testdata.GO, "main.Split", "main.Split", List.of("p=p", "x=p.X", "name=p.Name", "k=k")),
        Arguments.of(
            Testdata.GO, "main.Spill", "main.Spill", List.of("a=a", "t=t", "j=t.J", "b=b")),
        Arguments.of(
            Testdata.GO,
            "main.Slices",
            "main.Slices",
            List.of("xs=xs", "n=len(xs)", "x1=xs[1]", "b=b")),
        Arguments.of(Testdata.GO, "main.Scale", "main.Scale", List.of("x=x", "k=k", "r=$0")),
        Arguments.of(Testdata.GO, "main.MayFail", "main.MayFail", List.of("x=x", "r=$0", "err=$1")),
        Arguments.of(
            Testdata.GO,
            "main.(*Counter).Add",
            "main.(*Counter).Add",
            List.of("c=*c", "n=c.N", "label=label", "l2=c.Label", "r=$0")),
        // System V: small structs per eightbyte, a struct in memory, a hidden return pointer, stack
        // arguments, pointers followed to members.
        Arguments.of(
            Testdata.C_O2, "add_ints", "add_ints", List.of("a=a", "b=b", "c=c", "d=d", "r=$0")),
        Arguments.of(Testdata.C_O2, "point_sum", "point_sum", List.of("p=p", "x=p.x", "k=k")),
        Arguments.of(Testdata.C_O2, "mixed_val", "mixed_val", List.of("m=m", "n=m.n", "k=k")),
        Arguments.of(
            Testdata.C_O2,
            "big_sum",
            "big_sum",
            List.of("head=head", "b=b", "bb=b.b", "tail=tail")),
        Arguments.of(
            Testdata.C_O2, "make_big", "make_big", List.of("seed=seed", "step=step", "r=$0")),
        Arguments.of(Testdata.C_O2, "many", "many", List.of("a=a", "f=f", "g=g", "h=h")),
        Arguments.of(Testdata.C_O2, "name_len", "name_len", List.of("s=s")),
        Arguments.of(
            Testdata.C_O2,
            "node_id",
            "node_id",
            List.of("id=n->id", "name=n->name", "nx=n->next->id")),
        Arguments.of(
            Testdata.CPP_O2,
            "shop::Cart::add",
            "_ZN4shop4Cart3addElNS_5MoneyE",
            List.of("self=*this", "count=this->count", "n=n", "m=m", "u=m.units")),
        Arguments.of(
            Testdata.CPP_O2, "shop::price(int)", "_ZN4shop5priceEi", List.of("n=n", "r=$0")),
        Arguments.of(
            Testdata.CPP_O2,
            "shop::tagId",
            "_ZN4shop5tagIdENS_3TagEi",
            List.of("id=t.id", "extra=extra")));
  }

  /**
   * Plans {@code specs} of one function and checks the plan against the fixture's stored oracles.
   *
   * @param function what the user names
   * @param symbol the function's symbol (for C++ its Itanium mangling), where readelf and objdump
   *     show it
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void planAgreesWithTheStoredOracles(
      Testdata t, String function, String symbol, List<String> specs) throws Exception {
    Oracles o = oracles(t);
    ProbePlan plan;
    try (DwarfBinary bin = DwarfBinary.open(t.binary())) {
      plan = new ProbePlanner(bin).plan(function, specs.stream().map(Capture::parse).toList());
    }
    SymbolRow sym =
        o.symbols.stream()
            .filter(s -> s.name().equals(symbol) && !s.dynamic())
            .findFirst()
            .orElseThrow(() -> new AssertionError("readelf shows no symbol " + symbol));
    assertEquals(sym.value(), plan.entryAddress(), "entry");
    assertEquals(o.fileOffset(sym.value()), plan.entryFileOffset(), "entry file offset");
    assertEquals(o.rets.get(symbol), plan.retAddresses(), "RETs (objdump)");
    assertEquals(
        plan.retAddresses().stream().map(o::fileOffset).toList(),
        plan.retFileOffsets(),
        "RET file offsets");

    ODie fn = o.subprogramAt(sym.value());
    List<ODie> params =
        o.dwarf.children(fn).stream()
            .filter(c -> c.tag().equals("DW_TAG_formal_parameter"))
            .toList();
    if (t.go()) {
      assertEquals(
          new ProbePlan.GoRuntime(
              o.memberOffset("runtime.g", "goid"),
              o.memberOffset("runtime.g", "stack") + o.memberOffset("runtime.stack", "hi"),
              o.memberOffset("runtime.g", "sched") + o.memberOffset("runtime.gobuf", "pc")),
          plan.goRuntime(),
          "runtime.g");
      ODie last = params.get(params.size() - 1);
      boolean errorLast =
          last.flag("DW_AT_variable_parameter") && "error".equals(last.refName("DW_AT_type"));
      assertEquals(errorLast, plan.errorResult() != null, "an error result is counted");
    } else {
      assertNull(plan.goRuntime());
      assertNull(plan.errorResult());
    }

    DwarfEntryLocations.Subprogram entry =
        o.entries.stream()
            .filter(s -> s.lowPc() == sym.value())
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "no DWARF subprogram at 0x" + Long.toHexString(sym.value())));
    assertEquals(
        "DW_OP_call_frame_cfa",
        entry.frameBase(),
        "frame base (fbreg is CFA-relative, CFA = RSP+8 at entry)");
    int checked = 0;
    for (ValuePlan v : plan.values()) {
      String where = function + " " + v.name() + "=" + v.expression() + " " + v.reads();
      assertEquals(v.expression().startsWith("$"), v.atReturn(), where + ": read at return");
      if (v.atReturn()) continue;
      Decoder decoder = v.decoder();
      if (decoder instanceof Decoder.Indexed x) {
        // the length word the index is checked against is the indexed slice's or string's len
        String indexed = v.expression().substring(0, v.expression().lastIndexOf('['));
        assertEquals(
            Long.parseLong(
                v.expression().substring(indexed.length() + 1, v.expression().length() - 1)),
            x.index(),
            where + ": index");
        OracleValue len = o.evaluate("len(" + indexed + ")", params, entry);
        checked += compare(len, new Decoder.SignedInt(x.length(), 8), v.reads(), o, where + " len");
        decoder = x.element();
      }
      OracleValue expected = o.evaluate(v.expression(), params, entry);
      checked += compare(expected, decoder, v.reads(), o, where);
    }
    assertTrue(checked > 0, "no read compared");
  }

  /**
   * Compares the reads a decoder uses with the oracle's view of the value; returns how many were
   * compared.
   */
  private static int compare(
      OracleValue expected, Decoder decoder, List<Read> reads, Oracles o, String where) {
    if (decoder instanceof Decoder.Struct s) {
      int n = 0;
      for (int i = 0; i < s.names().size(); i++) {
        n +=
            compare(
                o.member(expected, s.names().get(i)),
                s.fields().get(i),
                reads,
                o,
                where + " ." + s.names().get(i));
      }
      return n;
    }
    DwarfEntryLocations.Piece first =
        expected.memory() ? null : expected.pieceAt(expected.offset());
    if (first != null && first.register() != null && first.register().startsWith("XMM")) {
      assertTrue(
          decoder instanceof Decoder.Unavailable,
          where
              + ": DWARF says "
              + first.register()
              + ", which a uprobe cannot read, but the plan decodes it with "
              + decoder);
      return 1;
    }
    int index = readIndex(decoder, where);
    Read r = reads.get(index);
    long size = o.size(expected.type());
    if (size > 0) assertEquals(size, r.size(), where + ": size of " + expected.type());
    if (first != null && first.memoryBase() != null) {
      // DWARF: the value lives in memory at a register (a C++ argument passed by invisible
      // reference).
      assertTrue(r.memory(), where + ": DWARF says memory at " + first.memoryBase());
      assertEquals(
          List.of(Piece.register(Register.valueOf(first.memoryBase()), 8, 0)),
          r.root(),
          where + ": root");
      assertEquals(List.of(), r.derefs(), where + ": pointers followed");
      assertEquals(
          first.memoryOffset() + expected.offset(),
          r.finalOffset(),
          where + ": offset of the value");
    } else if (expected.memory()) {
      assertTrue(r.memory(), where + ": a read through a pointer");
      assertEquals(1, r.root().size(), where + ": one root piece");
      assertEquals(8, r.root().get(0).size(), where + ": the root is a pointer");
      assertLocated(expected, expected.rootOffset(), r.root().get(0), where + " root");
      assertEquals(expected.derefs(), r.derefs(), where + ": pointers followed");
      assertEquals(expected.offset(), r.finalOffset(), where + ": offset of the value");
    } else {
      assertTrue(
          !r.memory() && r.finalOffset() == 0,
          where + ": bytes taken from registers or stack as they are");
      long covered = 0;
      for (Piece p : r.root()) {
        assertEquals(covered, p.valueOffset(), where + ": pieces are contiguous");
        covered += p.size();
        assertLocated(expected, expected.offset() + p.valueOffset(), p, where);
      }
      assertTrue(covered >= r.size(), where + ": pieces cover the read");
    }
    return 1;
  }

  /**
   * The piece holds the parameter's bytes from {@code valueOffset} where DWARF says they are at
   * entry.
   */
  private static void assertLocated(OracleValue v, long valueOffset, Piece p, String where) {
    DwarfEntryLocations.Piece d = v.pieceAt(valueOffset);
    assertNotNull(
        d,
        where + ": DWARF locates no byte " + valueOffset + " of " + v.param() + " " + v.pieces());
    if (d.register() != null) {
      assertEquals(Piece.Source.REGISTER, p.source(), where + ": DWARF says " + d.register());
      assertEquals(d.register(), p.register().name(), where + ": register of byte " + valueOffset);
      assertEquals(
          v.pieceStart(valueOffset),
          valueOffset,
          where + ": byte " + valueOffset + " starts " + d.register());
    } else if (d.fbreg() != null) {
      assertEquals(Piece.Source.STACK, p.source(), where + ": DWARF says the stack");
      long cfaOffset = d.fbreg() + valueOffset - v.pieceStart(valueOffset);
      assertEquals(
          8 + cfaOffset,
          p.stackOffset(),
          where + ": stack slot of byte " + valueOffset + " (CFA" + cfaOffset + ")");
    } else {
      throw new AssertionError(where + ": DWARF location " + d + " is not modelled here");
    }
  }

  private static int readIndex(Decoder d, String where) {
    if (d instanceof Decoder.SignedInt x) return x.read();
    if (d instanceof Decoder.UnsignedInt x) return x.read();
    if (d instanceof Decoder.Bool x) return x.read();
    if (d instanceof Decoder.Float x) return x.read();
    if (d instanceof Decoder.Pointer x) return x.read();
    if (d instanceof Decoder.Enum x) return x.read();
    if (d instanceof Decoder.Text x) return x.read();
    if (d instanceof Decoder.CharArray x) return x.read();
    if (d instanceof Decoder.GoInterface x) return x.read();
    if (d instanceof Decoder.GoError x) return x.read();
    throw new AssertionError(where + ": unexpected decoder " + d);
  }

  private static synchronized Oracles oracles(Testdata t) throws Exception {
    Oracles o = ORACLES.get(t);
    if (o == null) {
      o = new Oracles(t);
      ORACLES.put(t, o);
    }
    return o;
  }

  /**
   * What the oracles say a (sub)value of a parameter is at entry: bytes {@code offset..} of the
   * parameter (its DWARF {@code pieces}), or, when {@code memory}, bytes at {@code offset} of the
   * memory reached from the pointer in bytes {@code rootOffset..} of the parameter through {@code
   * derefs}; {@code type} as llvm-dwarfdump names it.
   */
  private record OracleValue(
      String param,
      List<DwarfEntryLocations.Piece> pieces,
      boolean memory,
      long rootOffset,
      List<Long> derefs,
      long offset,
      String type) {

    /** The DWARF piece holding a byte of the parameter, or null. */
    DwarfEntryLocations.Piece pieceAt(long byteOffset) {
      long at = 0;
      for (DwarfEntryLocations.Piece p : pieces) {
        if (p.size() < 0 || (byteOffset >= at && byteOffset < at + p.size()))
          return p.located() ? p : null;
        at += p.size();
      }
      return null;
    }

    /** The parameter byte offset where the piece holding {@code byteOffset} starts. */
    long pieceStart(long byteOffset) {
      long at = 0;
      for (DwarfEntryLocations.Piece p : pieces) {
        if (p.size() < 0 || byteOffset < at + p.size()) return at;
        at += p.size();
      }
      return -1;
    }
  }

  /** The stored oracle outputs of one fixture, parsed once. */
  private static final class Oracles {
    final DwarfdumpOracle dwarf;
    final List<DwarfEntryLocations.Subprogram> entries;
    final List<SymbolRow> symbols;
    final List<SectionRow> sections;
    final Map<String, List<Long>> rets = new HashMap<>();

    Oracles(Testdata t) throws Exception {
      dwarf = DwarfdumpOracle.parse(t.binary(), t.dwarfdump());
      entries = DwarfEntryLocations.parse(t.dwarfdump());
      String readelf = t.readelf();
      symbols = ElfReadelfOracle.symbols(readelf);
      sections = ElfReadelfOracle.sections(readelf);
      ObjdumpListing.parse(
          t.objdump(), b -> rets.put(b.symbol(), Arrays.stream(b.rets()).boxed().toList()));
    }

    /**
     * File offset of an address: its section's offset plus the distance from the section's address.
     */
    long fileOffset(long vaddr) {
      SectionRow s =
          sections.stream()
              .filter(
                  x ->
                      x.flags().contains("A")
                          && !x.type().equals("NOBITS")
                          && x.addr() <= vaddr
                          && vaddr < x.addr() + x.size())
              .findFirst()
              .orElseThrow(
                  () -> new AssertionError("0x" + Long.toHexString(vaddr) + " is in no section"));
      return s.offset() + (vaddr - s.addr());
    }

    /** The subprogram DIE whose code starts at an address. */
    ODie subprogramAt(long address) {
      for (long off : dwarf.offsetsWithTag("DW_TAG_subprogram")) {
        ODie d = dwarf.die(off);
        if (d.number("DW_AT_low_pc") == address) return d;
      }
      throw new AssertionError(
          "llvm-dwarfdump shows no subprogram at 0x" + Long.toHexString(address));
    }

    /**
     * The struct, class or base type DIE a type name (as llvm-dwarfdump prints it) names, or null.
     */
    ODie typeDie(String type) {
      String simple = type.contains("::") ? type.substring(type.lastIndexOf("::") + 2) : type;
      for (String n : List.of(type, simple)) {
        for (ODie d : dwarf.named(n)) {
          if (!d.tag().equals("DW_TAG_typedef")
              && !d.tag().endsWith("_subprogram")
              && !d.tag().equals("DW_TAG_member")
              && !d.tag().equals("DW_TAG_formal_parameter")
              && !d.flag("DW_AT_declaration")
              && d.number("DW_AT_byte_size") > 0) {
            return d;
          }
        }
      }
      return null;
    }

    /** A type's byte size from its DIE (8 for pointers), or -1 when the stored output lacks it. */
    long size(String type) {
      if (type.endsWith("*")) return 8;
      ODie d = typeDie(type);
      return d == null ? -1 : d.number("DW_AT_byte_size");
    }

    long memberOffset(String type, String member) {
      return memberDie(type, member).number("DW_AT_data_member_location");
    }

    ODie memberDie(String type, String member) {
      ODie t = typeDie(type);
      if (t == null) throw new AssertionError("llvm-dwarfdump output has no type " + type);
      return dwarf.children(t).stream()
          .filter(c -> c.tag().equals("DW_TAG_member") && member.equals(c.name()))
          .findFirst()
          .orElseThrow(
              () -> new AssertionError("llvm-dwarfdump shows no member " + type + "." + member));
    }

    /** A member of a value: further into the same bytes, or, behind a pointer, into memory. */
    OracleValue member(OracleValue v, String name) {
      if (v.type().endsWith("*")) return into(deref(v), name);
      return into(v, name);
    }

    private OracleValue into(OracleValue v, String name) {
      ODie m = memberDie(v.type(), name);
      return new OracleValue(
          v.param(),
          v.pieces(),
          v.memory(),
          v.rootOffset(),
          v.derefs(),
          v.offset() + m.number("DW_AT_data_member_location"),
          type(m));
    }

    /** The value a pointer value points to. */
    private OracleValue deref(OracleValue v) {
      String target =
          v.type().substring(0, v.type().length() - 1).trim().replaceFirst("^const ", "");
      if (!v.memory())
        return new OracleValue(v.param(), v.pieces(), true, v.offset(), List.of(), 0, target);
      List<Long> derefs = new ArrayList<>(v.derefs());
      derefs.add(v.offset());
      return new OracleValue(v.param(), v.pieces(), true, v.rootOffset(), derefs, 0, target);
    }

    /**
     * Evaluates the expressions of the cases ({@code x}, {@code x.f}, {@code x->f->g}, {@code *x},
     * {@code len(x)}, {@code x[i]}) over the oracles' view of the parameters at entry.
     */
    OracleValue evaluate(
        String expression, List<ODie> params, DwarfEntryLocations.Subprogram entry) {
      boolean star = expression.startsWith("*");
      boolean len = expression.startsWith("len(");
      String e =
          star
              ? expression.substring(1)
              : len ? expression.substring(4, expression.length() - 1) : expression;
      Matcher base = Pattern.compile("^\\w+").matcher(e);
      assertTrue(base.find(), expression);
      String name = base.group();
      ODie param =
          params.stream()
              .filter(p -> name.equals(p.name()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("llvm-dwarfdump shows no parameter " + name));
      DwarfEntryLocations.Param located =
          entry.params().stream()
              .filter(p -> name.equals(p.name()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no entry location for " + name));
      assertNotNull(located.pieces(), name + " has a location at entry");
      OracleValue v = new OracleValue(name, located.pieces(), false, 0, List.of(), 0, type(param));
      Matcher step = STEP.matcher(e.substring(name.length()));
      while (step.find()) {
        if (step.group(1) != null) {
          v = member(v, step.group(1));
        } else if (step.group(2) != null) {
          v = into(deref(v), step.group(2));
        } else {
          OracleValue array = into(v, "array");
          OracleValue element = deref(array);
          v =
              new OracleValue(
                  element.param(),
                  element.pieces(),
                  true,
                  element.rootOffset(),
                  element.derefs(),
                  Long.parseLong(step.group(3)) * size(element.type()),
                  element.type());
        }
      }
      if (star) v = deref(v);
      if (len) v = into(v, "len");
      return v;
    }

    /**
     * The type name of a DIE's DW_AT_type, without const qualifiers ({@code shop::Cart *const}).
     */
    private static String type(ODie d) {
      String t = d.refName("DW_AT_type");
      assertNotNull(t, "type of DIE 0x" + Long.toHexString(d.offset()));
      return t.replaceFirst("^const ", "").replaceFirst("\\s*const$", "");
    }
  }
}
