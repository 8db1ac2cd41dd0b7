package dev.dynlog.plan;

import static dev.dynlog.abi.TestTypes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.abi.CallingConvention;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.recipe.Piece;
import dev.dynlog.recipe.Read;
import dev.dynlog.recipe.Register;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.types.Type;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Expression planning against hand-built functions; the expected reads follow from the ABI rules.
 */
class ValuePlannerTest {
  /** The string cap every plan gets by default (the Tracepoint spec's maxStringBytes default). */
  private static final int DEFAULT_CAP = PlanOptions.defaults().stringCap();

  private static final Type MONEY =
      struct(
          "dynlog.dev/targets/pb.Money",
          "CurrencyCode",
          goString(),
          "Units",
          i64(),
          "Nanos",
          i32());
  private static final Function SUM =
      goFunc("shop.Sum", arg("l", MONEY), arg("r", MONEY), res("~r0", MONEY), res("~r1", error()));
  private static final Type USER = struct("shop.User", "Name", goString(), "Age", i64());
  private static final Type REQUEST = struct("shop.Request", "ID", i64(), "User", ptr(USER));
  private static final Type SERVICE = struct("shop.Service", "Name", goString());
  private static final Function HANDLE =
      goFunc(
          "shop.(*Service).Handle",
          arg("s", ptr(SERVICE)),
          arg("req", ptr(REQUEST)),
          res("~r0", i64()),
          res("~r1", error()));

  private static ValuePlan plan(Function f, String expr) throws ResolveException {
    return plan(f, expr, PlanOptions.defaults());
  }

  private static ValuePlan plan(Function f, String expr, PlanOptions options)
      throws ResolveException {
    ValuePlanner p = new ValuePlanner(f, CallingConvention.of(f).layout(f), options);
    return p.plan(new Capture("v", expr), new ValuePlanner.Budget(options.maxReadsPerProbe()));
  }

  private static Read reg(Register r, int size, long finalOffset, Read.Kind kind, int cap) {
    return new Read(
        List.of(Piece.register(r, size, 0)), false, List.of(), finalOffset, size, kind, cap);
  }

  @Test
  void registerSplitStructFieldIsItsOwnRegister() throws Exception {
    ValuePlan v = plan(SUM, "l.Units");
    assertEquals(List.of(reg(Register.RCX, 8, 0, Read.Kind.BYTES, 0)), v.reads());
    assertEquals(new Decoder.SignedInt(0, 8), v.decoder());
    assertFalse(v.atReturn());
    assertEquals("int64", v.typeName());
    assertEquals("RCX", v.location());

    ValuePlan nanos = plan(SUM, "r.Nanos");
    assertEquals(List.of(reg(Register.R10, 4, 0, Read.Kind.BYTES, 0)), nanos.reads());
    assertEquals(new Decoder.SignedInt(0, 4), nanos.decoder());
  }

  @Test
  void stringFieldInRegistersIsOneGoStringReadOfTwoPieces() throws Exception {
    ValuePlan v = plan(SUM, "r.CurrencyCode");
    Read r = v.reads().get(0);
    assertEquals(
        List.of(Piece.register(Register.RSI, 8, 0), Piece.register(Register.R8, 8, 8)), r.root());
    assertEquals(Read.Kind.GO_STRING, r.kind());
    assertEquals(16, r.size());
    assertEquals(PlanOptions.defaults().stringCap(), r.cap());
    assertEquals(new Decoder.Text(0), v.decoder());
  }

  @Test
  void wholeStructExpandsIntoOneReadPerLeaf() throws Exception {
    ValuePlan v = plan(SUM, "l");
    assertEquals(3, v.reads().size());
    assertEquals(
        new Decoder.Struct(
            List.of("CurrencyCode", "Units", "Nanos"),
            List.of(new Decoder.Text(0), new Decoder.SignedInt(1, 8), new Decoder.SignedInt(2, 4))),
        v.decoder());
  }

  @Test
  void resultsAreReadAtReturnFromRegistersRestartingAtRax() throws Exception {
    ValuePlan units = plan(SUM, "$0.Units");
    assertTrue(units.atReturn());
    assertEquals(List.of(reg(Register.RCX, 8, 0, Read.Kind.BYTES, 0)), units.reads());
    ValuePlan err = plan(SUM, "$1");
    // the interface's two words, then the message the data word points at (errors.New, fmt.Errorf)
    assertEquals(
        List.of(
            new Read(
                List.of(Piece.register(Register.RSI, 8, 0), Piece.register(Register.R8, 8, 8)),
                false,
                List.of(),
                0,
                16,
                Read.Kind.BYTES,
                0),
            new Read(
                List.of(Piece.register(Register.R8, 8, 0)),
                true,
                List.of(),
                0,
                16,
                Read.Kind.GO_STRING,
                PlanOptions.defaults().stringCap())),
        err.reads());
    assertEquals(new Decoder.GoError(0, 1), err.decoder());
    assertEquals("error", err.typeName());
    ValuePlan named = plan(SUM, "~r1");
    assertTrue(named.atReturn());
    assertEquals(err.reads(), named.reads());
  }

  @Test
  void unknownFieldListsTheFieldsThatExist() {
    ResolveException e = assertThrows(ResolveException.class, () -> plan(SUM, "l.Unit"));
    assertEquals(
        "no field `Unit` in `dynlog.dev/targets/pb.Money`; fields are CurrencyCode, Units, Nanos",
        e.getMessage());
  }

  @Test
  void unknownParameterListsParametersAndResults() {
    Function login =
        goFunc(
            "shop.(*Service).Login",
            arg("s", ptr(SERVICE)),
            arg("username", goString()),
            res("~r0", bool()),
            res("err", error()));
    ResolveException e = assertThrows(ResolveException.class, () -> plan(login, "usr"));
    assertEquals(
        "unknown parameter `usr` of shop.(*Service).Login; parameters are s, username; results are $0, $1 (err)",
        e.getMessage());
    assertThrows(ResolveException.class, () -> plan(login, "$2"));
  }

  @Test
  void pointerChainBecomesDerefSteps() throws Exception {
    ValuePlan v = plan(HANDLE, "req.User.Name");
    assertEquals(
        List.of(
            new Read(
                List.of(Piece.register(Register.RBX, 8, 0)),
                true,
                List.of(8L),
                0,
                16,
                Read.Kind.GO_STRING,
                DEFAULT_CAP)),
        v.reads());
    assertEquals("*(*(RBX+8))", v.location());
    ValuePlan age = plan(HANDLE, "req.User.Age");
    assertEquals(List.of(8L), age.reads().get(0).derefs());
    assertEquals(16, age.reads().get(0).finalOffset());
    ValuePlan id = plan(HANDLE, "(*req).ID");
    assertEquals(
        new Read(
            List.of(Piece.register(Register.RBX, 8, 0)), true, List.of(), 0, 8, Read.Kind.BYTES, 0),
        id.reads().get(0));
  }

  @Test
  void derefLimitIsExplained() {
    Type t = i64();
    for (int i = 0; i < 6; i++) t = ptr(t);
    Function f = goFunc("p.f", arg("p", t));
    ResolveException e = assertThrows(ResolveException.class, () -> plan(f, "******p"));
    assertTrue(e.getMessage().contains("at most 4"), e.getMessage());
  }

  @Test
  void floatsInXmmAreUnavailableWithAReason() throws Exception {
    Type mixed = struct("abi.Mixed", "A", i32(), "F", f64(), "B", i64());
    Function f = goFunc("abi.MixIt", arg("m", mixed));
    ValuePlan field = plan(f, "m.F");
    assertEquals(
        new Decoder.Unavailable("float64 `m.F` is passed in X0; uprobes cannot read XMM registers"),
        field.decoder());
    assertTrue(field.reads().isEmpty());
    ValuePlan whole = plan(f, "m");
    Decoder.Struct s = assertInstanceOf(Decoder.Struct.class, whole.decoder());
    assertEquals(new Decoder.SignedInt(0, 4), s.fields().get(0));
    assertInstanceOf(Decoder.Unavailable.class, s.fields().get(1));
    assertEquals(new Decoder.SignedInt(1, 8), s.fields().get(2));
  }

  @Test
  void floatOnTheStackIsDecoded() throws Exception {
    Function f = goAbi0Func("p.f", arg("x", f64()));
    ValuePlan v = plan(f, "x");
    assertEquals(new Decoder.Float(0, 8), v.decoder());
    assertEquals(List.of(Piece.stack(8, 8, 0)), v.reads().get(0).root());
  }

  @Test
  void stackStructFieldReadsOnlyItsSlot() throws Exception {
    Object[] fields = new Object[20];
    for (int i = 0; i < 10; i++) {
      fields[2 * i] = String.valueOf((char) ('A' + i));
      fields[2 * i + 1] = i64();
    }
    Function f =
        goFunc("abi.Spill", arg("a", i64()), arg("t", struct("abi.Ten", fields)), arg("b", i64()));
    ValuePlan v = plan(f, "t.J");
    assertEquals(
        List.of(
            new Read(List.of(Piece.stack(80, 8, 0)), false, List.of(), 0, 8, Read.Kind.BYTES, 0)),
        v.reads());
    assertEquals("[rsp+80]", v.location());
    assertEquals(List.of(Piece.register(Register.RBX, 8, 0)), plan(f, "b").reads().get(0).root());
  }

  @Test
  void lenIndexAndSlices() throws Exception {
    Function f =
        goFunc("abi.Strs", arg("s", goString()), arg("b", slice(u8())), arg("xs", slice(i64())));
    assertEquals(List.of(reg(Register.RBX, 8, 0, Read.Kind.BYTES, 0)), plan(f, "len(s)").reads());
    assertEquals(List.of(reg(Register.R10, 8, 0, Read.Kind.BYTES, 0)), plan(f, "cap(xs)").reads());
    ValuePlan b = plan(f, "b");
    assertEquals(Read.Kind.GO_SLICE, b.reads().get(0).kind());
    assertEquals(3, b.reads().get(0).root().size());
    ValuePlan xs = plan(f, "xs");
    assertEquals(
        new Decoder.Struct(
            List.of("len", "cap"),
            List.of(new Decoder.SignedInt(0, 8), new Decoder.SignedInt(1, 8))),
        xs.decoder());
  }

  private static final Function STRS =
      goFunc("abi.Strs", arg("s", goString()), arg("b", slice(u8())), arg("xs", slice(i64())));

  @Test
  void sliceAndStringIndexesReadTheLengthTheyAreCheckedAgainst() throws Exception {
    // xs is R8 (data), R9 (len), R10 (cap); s is RAX (data), RBX (len)
    ValuePlan x1 = plan(STRS, "xs[1]");
    assertEquals(
        List.of(
            reg(Register.R9, 8, 0, Read.Kind.BYTES, 0),
            new Read(
                List.of(Piece.register(Register.R8, 8, 0)),
                true,
                List.of(),
                8,
                8,
                Read.Kind.BYTES,
                0)),
        x1.reads());
    assertEquals(new Decoder.Indexed(0, 1, new Decoder.SignedInt(1, 8)), x1.decoder());
    assertEquals("int64", x1.typeName());

    ValuePlan s2 = plan(STRS, "s[2]");
    assertEquals(
        List.of(
            reg(Register.RBX, 8, 0, Read.Kind.BYTES, 0),
            new Read(
                List.of(Piece.register(Register.RAX, 8, 0)),
                true,
                List.of(),
                2,
                1,
                Read.Kind.BYTES,
                0)),
        s2.reads());
    assertEquals(new Decoder.Indexed(0, 2, new Decoder.UnsignedInt(1, 1)), s2.decoder());

    ValuePlan b0 = plan(STRS, "b[0]");
    assertEquals(reg(Register.RDI, 8, 0, Read.Kind.BYTES, 0), b0.reads().get(0), "len(b)");
    assertEquals(new Decoder.Indexed(0, 0, new Decoder.UnsignedInt(1, 1)), b0.decoder());
  }

  @Test
  void indexesInMemoryAndNestedIndexesCheckEachLengthOutermostFirst() throws Exception {
    Type order = struct("shop.Order", "ID", i64(), "Tags", slice(goString()));
    Function f = goFunc("shop.Ship", arg("o", ptr(order)));
    Read tagsLen =
        new Read(
            List.of(Piece.register(Register.RAX, 8, 0)),
            true,
            List.of(),
            16,
            8,
            Read.Kind.BYTES,
            0);
    ValuePlan t3 = plan(f, "o.Tags[3]");
    assertEquals(
        List.of(
            tagsLen,
            new Read(
                List.of(Piece.register(Register.RAX, 8, 0)),
                true,
                List.of(8L),
                48,
                16,
                Read.Kind.GO_STRING,
                DEFAULT_CAP)),
        t3.reads());
    assertEquals(new Decoder.Indexed(0, 3, new Decoder.Text(1)), t3.decoder());

    ValuePlan c = plan(f, "o.Tags[3][1]");
    assertEquals(
        List.of(
            tagsLen,
            new Read(
                List.of(Piece.register(Register.RAX, 8, 0)),
                true,
                List.of(8L),
                56,
                8,
                Read.Kind.BYTES,
                0),
            new Read(
                List.of(Piece.register(Register.RAX, 8, 0)),
                true,
                List.of(8L, 48L),
                1,
                1,
                Read.Kind.BYTES,
                0)),
        c.reads());
    assertEquals(
        new Decoder.Indexed(0, 3, new Decoder.Indexed(1, 1, new Decoder.UnsignedInt(2, 1))),
        c.decoder());

    ValuePlan len = plan(f, "len(o.Tags[3])");
    assertEquals(new Decoder.Indexed(0, 3, new Decoder.SignedInt(1, 8)), len.decoder());
    assertEquals(56, len.reads().get(1).finalOffset());
  }

  @Test
  void theLengthReadCountsAgainstTheReadBudget() throws Exception {
    ValuePlanner p =
        new ValuePlanner(STRS, CallingConvention.of(STRS).layout(STRS), PlanOptions.defaults());
    ValuePlanner.Budget budget = new ValuePlanner.Budget(3);
    p.plan(new Capture("x1", "xs[1]"), budget);
    assertEquals(1, budget.remaining(), "the length and the element");
    ResolveException element =
        assertThrows(ResolveException.class, () -> p.plan(new Capture("s2", "s[2]"), budget));
    assertEquals(
        "capture `s2` of abi.Strs: no reads left for the element after its length checks"
            + " (at most 16 reads per probe; earlier captures use them)",
        element.getMessage());
    ResolveException length =
        assertThrows(
            ResolveException.class,
            () -> p.plan(new Capture("s2", "s[2]"), new ValuePlanner.Budget(0)));
    assertEquals(
        "capture `s2` of abi.Strs: no read left for len(s), which the index 2 is checked against"
            + " (at most 16 reads per probe; earlier captures use them)",
        length.getMessage());

    Type order = struct("shop.Order", "ID", i64(), "Tags", slice(goString()));
    Function f = goFunc("shop.Ship", arg("o", ptr(order)));
    ResolveException perValue =
        assertThrows(
            ResolveException.class,
            () -> plan(f, "o.Tags[3][1]", new PlanOptions(64, 2, 16, 16, 2, 16)));
    assertEquals(
        "capture `v` of shop.Ship: no reads left for the element after its length checks"
            + " (at most 2 reads per value)",
        perValue.getMessage());
  }

  @Test
  void pointerIndexesHaveNoLengthAndAreNotChecked() throws Exception {
    Function f = cppFunc("sum", cLong(), arg("p", ptr(cInt())));
    ValuePlan p3 = plan(f, "p[3]");
    assertEquals(
        List.of(
            new Read(
                List.of(Piece.register(Register.RDI, 8, 0)),
                true,
                List.of(),
                12,
                4,
                Read.Kind.BYTES,
                0)),
        p3.reads());
    assertEquals(new Decoder.SignedInt(0, 4), p3.decoder());
  }

  @Test
  void arrayIndexPastItsBoundIsAPlanTimeError() throws Exception {
    Type quad = struct("quad", "n", cInt(), "v", array(cInt(), 4));
    Function c = cppFunc("quad_sum", cLong(), arg("q", ptr(quad)));
    assertEquals(16, plan(c, "q->v[3]").reads().get(0).finalOffset());
    assertEquals(new Decoder.SignedInt(0, 4), plan(c, "q->v[3]").decoder(), "no length read");
    ResolveException e = assertThrows(ResolveException.class, () -> plan(c, "q->v[4]"));
    assertEquals("index 4 out of range for `q.v` of type `int[4]` (len 4)", e.getMessage());
    // Go's DWARF names its array types the Go way
    Type go = struct("abi.ZeroArr", "A", i64(), "Z", array(i64(), 0).name("[0]int64"), "B", i64());
    ResolveException zero =
        assertThrows(
            ResolveException.class, () -> plan(goFunc("abi.Zeroed", arg("z", go)), "z.Z[0]"));
    assertEquals("index 0 out of range for `z.Z` of type `[0]int64` (len 0)", zero.getMessage());
  }

  @Test
  void cZeroLengthTrailingArrayIsVariableLengthLikeAPointer() throws Exception {
    // GNU C `struct buf { int n; int data[0]; }`: DWARF says count 0, the program says "as many as
    // were allocated"; `int data[]` has no count at all
    Type buf = struct("buf", "n", cInt(), "data", array(cInt(), 0));
    Function f = cppFunc("buf_get", cInt(), arg("b", ptr(buf)));
    ValuePlan d2 = plan(f, "b->data[2]");
    assertEquals(
        List.of(
            new Read(
                List.of(Piece.register(Register.RDI, 8, 0)),
                true,
                List.of(),
                12,
                4,
                Read.Kind.BYTES,
                0)),
        d2.reads());
    assertEquals(new Decoder.SignedInt(0, 4), d2.decoder());
    Type flexible = new Type(Type.Kind.STRUCT, "fbuf", 4);
    flexible.addMember(new Type.Member("n", 0, cInt()));
    flexible.addMember(
        new Type.Member("data", 4, new Type(Type.Kind.ARRAY, null, -1).target(cInt()).count(-1)));
    ValuePlan f2 = plan(cppFunc("fbuf_get", cInt(), arg("b", ptr(flexible))), "b->data[2]");
    assertEquals(new Decoder.SignedInt(0, 4), f2.decoder());
  }

  @Test
  void arrayIndexIsBoundsChecked() throws Exception {
    Function f =
        goFunc(
            "abi.Arrays",
            arg("one", array(i64(), 1)),
            arg("two", array(i64(), 2)),
            arg("c", i64()));
    assertEquals(List.of(Piece.stack(16, 8, 0)), plan(f, "two[1]").reads().get(0).root());
    ResolveException e = assertThrows(ResolveException.class, () -> plan(f, "two[2]"));
    assertTrue(
        e.getMessage().contains("out of range") && e.getMessage().contains("(len 2)"),
        e.getMessage());
    assertEquals(
        List.of(Piece.register(Register.RAX, 8, 0)), plan(f, "one[0]").reads().get(0).root());
  }

  @Test
  void cppReferencesAndStdStringAndSret() throws Exception {
    Type str =
        struct(
            "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >",
            "_M_dataplus",
            ptr(cChar()),
            "_M_string_length",
            cLong(),
            "_M_buf",
            array(cChar(), 16));
    Type cart = struct("shop::Cart", "owner", str, "items", cInt(), "cents", cLong());
    Function describe =
        cppFunc(
            "shop::Cart::describe",
            str,
            self(ptr(constOf(cart))),
            arg("prefix", ref(constOf(typedef("std::string", str)))));
    ValuePlan prefix = plan(describe, "prefix");
    assertEquals(
        List.of(
            new Read(
                List.of(Piece.register(Register.RDX, 8, 0)),
                true,
                List.of(),
                0,
                16,
                Read.Kind.STD_STRING,
                DEFAULT_CAP)),
        prefix.reads(),
        "RDI is the hidden sret pointer, RSI is this");
    ValuePlan items = plan(describe, "this->items");
    assertEquals(
        new Read(
            List.of(Piece.register(Register.RSI, 8, 0)),
            true,
            List.of(),
            32,
            4,
            Read.Kind.BYTES,
            0),
        items.reads().get(0));
    ValuePlan ret = plan(describe, "$0");
    assertTrue(ret.atReturn());
    assertEquals(
        List.of(
            new Read(
                List.of(Piece.register(Register.RAX, 8, 0)),
                true,
                List.of(),
                0,
                16,
                Read.Kind.STD_STRING,
                DEFAULT_CAP)),
        ret.reads());
    ValuePlan len = plan(describe, "len(prefix)");
    assertEquals(8, len.reads().get(0).finalOffset());
  }

  @Test
  void cStringAndSmallStructEightbytes() throws Exception {
    Function login = cppFunc("login", cInt(), arg("user", ptr(constOf(cChar()))));
    ValuePlan u = plan(login, "user");
    assertEquals(List.of(reg(Register.RDI, 8, 0, Read.Kind.C_STRING, DEFAULT_CAP)), u.reads());
    Type s = struct("S", "a", cInt(), "b", cInt());
    Function f = cppFunc("f", null, arg("s", s));
    ValuePlan b = plan(f, "s.b");
    assertEquals(
        List.of(reg(Register.RDI, 8, 4, Read.Kind.BYTES, 0)).get(0).root(),
        b.reads().get(0).root());
    assertEquals(4, b.reads().get(0).finalOffset(), "b is the upper half of RDI");
    assertEquals(4, b.reads().get(0).size());
  }

  @Test
  void readBudgetElidesTheRestAndSaysWhy() throws Exception {
    Object[] fields = new Object[40];
    for (int i = 0; i < 20; i++) {
      fields[2 * i] = "f" + i;
      fields[2 * i + 1] = i64();
    }
    Function f = goFunc("p.f", arg("p", ptr(struct("p.Wide", fields))));
    ValuePlan v = plan(f, "*p", new PlanOptions(64, 2, 32, 8, 16, 16));
    assertEquals(16, v.reads().size());
    Decoder.Struct s = (Decoder.Struct) v.decoder();
    assertInstanceOf(Decoder.Elided.class, s.fields().get(16));
    assertTrue(((Decoder.Elided) s.fields().get(16)).why().contains("16"));
  }

  @Test
  void fieldCapAndDepthCap() throws Exception {
    Type inner = struct("p.In", "x", i64());
    Type mid = struct("p.Mid", "in", inner);
    Type outer = struct("p.Out", "mid", mid, "a", i64(), "b", i64());
    Function f = goFunc("p.f", arg("o", ptr(outer)));
    Decoder.Struct s =
        (Decoder.Struct) plan(f, "*o", new PlanOptions(64, 1, 2, 8, 16, 16)).decoder();
    assertEquals(List.of("mid", "a", "…"), s.names());
    assertInstanceOf(Decoder.Elided.class, s.fields().get(0), "depth 1 shows mid only as elided");
  }

  @Test
  void bitFieldsAreReportedUnsupported() throws Exception {
    Type flags = new Type(Type.Kind.STRUCT, "Flags", 4);
    flags.addMember(new Type.Member("on", 0, cInt(), 1, 0, false));
    Function f = cppFunc("f", null, arg("fl", ptr(flags)));
    Decoder d = plan(f, "fl->on").decoder();
    assertInstanceOf(Decoder.Unavailable.class, d);
    assertTrue(((Decoder.Unavailable) d).why().contains("bit-field"));
  }

  @Test
  void badExpressionsSayWhereAndWhy() {
    for (String bad : List.of("l..Units", "$", "len(l", "l[x]", "", "l.Units)", "a b")) {
      ResolveException e = assertThrows(ResolveException.class, () -> plan(SUM, bad), bad);
      assertTrue(e.getMessage().startsWith("bad expression"), e.getMessage());
    }
    assertThrows(ResolveException.class, () -> plan(SUM, "*l"));
    assertThrows(ResolveException.class, () -> plan(SUM, "len(l)"));
  }

  @Test
  void voidPointerCannotBeDereferenced() {
    Function f = cppFunc("f", null, arg("p", ptr(null)));
    ResolveException e = assertThrows(ResolveException.class, () -> plan(f, "*p"));
    assertTrue(e.getMessage().contains("void"), e.getMessage());
  }

  @Test
  void deeplyNestedExpressionIsRejectedNotOverflowed() {
    String deep = "*".repeat(500) + "p";
    Function f = goFunc("p.f", arg("p", ptr(i64())));
    assertThrows(ResolveException.class, () -> plan(f, deep));
  }

  @Test
  void randomExpressionsEitherPlanOrFailWithAResolveException() {
    String alphabet = "lr.$01[]()*->lencapUnitsNanos ~_x";
    Random random = new Random(42);
    int planned = 0;
    for (int n = 0; n < 5000; n++) {
      StringBuilder sb = new StringBuilder();
      int len = 1 + random.nextInt(24);
      for (int i = 0; i < len; i++) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      try {
        plan(SUM, sb.toString());
        planned++;
      } catch (ResolveException e) {
        assertFalse(e.getMessage().isBlank());
      }
    }
    assertTrue(planned > 0, "some random expressions are valid and must plan");
  }

  @Test
  void malformedSelfContainingTypesAreBounded() throws Exception {
    Type loop = new Type(Type.Kind.STRUCT, "p.Loop", 16);
    loop.addMember(new Type.Member("self", 0, loop));
    loop.addMember(new Type.Member("n", 8, i64()));
    Function f = goFunc("p.f", arg("p", ptr(loop)));
    ValuePlan whole = plan(f, "*p");
    assertTrue(whole.reads().size() <= 16);
    ValuePlan deep = plan(f, "p.self.self.self.self.self.n");
    assertEquals(8, deep.reads().get(0).finalOffset());
    Function byValue = goFunc("p.g", arg("l", loop));
    assertThrows(
        ResolveException.class,
        () -> plan(byValue, "l"),
        "a struct containing itself cannot be laid out");
  }
}
