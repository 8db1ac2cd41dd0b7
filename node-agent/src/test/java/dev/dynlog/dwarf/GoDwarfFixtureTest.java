package dev.dynlog.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.dwarf.DwarfdumpOracle.ODie;
import dev.dynlog.dwarf.ElfReadelfOracle.SymbolRow;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.Language;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.symbols.Variable;
import dev.dynlog.testing.Testdata;
import dev.dynlog.types.Type;
import dev.dynlog.types.Type.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Quick tier: the DWARF reader on the checked-in Go fixture (go1.26.8, default optimised flags,
 * zlib-compressed DWARF 5) against the {@code llvm-dwarfdump} output stored with it (the main
 * package's unit and the DIEs of chosen types) and its {@code readelf -s}: every main.* function
 * with its parameters and results, struct layouts, the runtime.g offsets the tracer pairs calls
 * with, Go kinds, symbolization and friendly names.
 */
class GoDwarfFixtureTest {
  private static DwarfdumpOracle oracle;

  @BeforeAll
  static void readOracle() throws Exception {
    oracle = DwarfdumpOracle.parse(Testdata.GO.binary(), Testdata.GO.dwarfdump());
  }

  @Test
  void everyMainFunctionMatchesDwarfdump() throws Exception {
    TreeSet<String> expectedNames = new TreeSet<>();
    for (long off : oracle.offsetsWithTag("DW_TAG_subprogram")) {
      ODie d = oracle.die(off);
      String n = nameOf(d);
      if (d.number("DW_AT_low_pc") > 0 && n != null && n.startsWith("main.")) expectedNames.add(n);
    }
    assertTrue(expectedNames.size() >= 10, expectedNames.toString());
    try (DwarfBinary b = DwarfBinary.open(Testdata.GO.binary())) {
      List<String> names = b.functionNames(Pattern.compile("^main\\."));
      assertEquals(expectedNames, new TreeSet<>(names), "functions with code in package main");
      for (String name : names) {
        Function f = single(b.lookup(name));
        ODie die = oracle.die(f.dieOffset());
        assertEquals("DW_TAG_subprogram", die.tag(), name);
        assertEquals(name, nameOf(die), "name of DIE 0x" + Long.toHexString(f.dieOffset()));
        assertEquals(Language.GO, f.language());
        assertTrue(f.goRegisterAbi(), name + " producer " + f.producer());
        assertEquals(die.number("DW_AT_low_pc"), f.lowPc(), name + " entry");
        assertEquals(die.number("DW_AT_high_pc"), f.ranges().get(0).high(), name + " end");
        assertEquals(expectedParameters(die), describe(f.parameters()), name + " parameters");
        assertEquals(oracleInlined(die), f.inlined(), name + " inlined");
      }
    }
  }

  @Test
  void structLayoutsMatchDwarfdump() throws Exception {
    try (DwarfBinary b = DwarfBinary.open(Testdata.GO.binary())) {
      for (String type :
          List.of(
              "main.Point",
              "main.Ten",
              "main.Counter",
              "main.failure",
              "runtime.g",
              "runtime.stack",
              "runtime.gobuf",
              "string",
              "[]int",
              "[]uint8",
              "error")) {
        Type t = b.type(type).orElseThrow(() -> new AssertionError("no type " + type)).stripped();
        ODie o = typeDie(type);
        assertEquals(o.number("DW_AT_byte_size"), t.size(), type + " size");
        List<String> expected = new ArrayList<>();
        for (ODie m : oracle.children(o)) {
          if (m.tag().equals("DW_TAG_member")) {
            expected.add(
                m.name()
                    + "@"
                    + m.number("DW_AT_data_member_location")
                    + ":"
                    + DwarfdumpOracle.goTypeName(m.refName("DW_AT_type")));
          }
        }
        List<String> actual =
            t.members().stream()
                .map(m -> m.name() + "@" + m.offset() + ":" + m.type().displayName())
                .toList();
        assertTrue(expected.size() >= 1, type + " has members");
        assertEquals(expected, actual, type + " members");
      }
    }
  }

  /** g.goid, g.stack.hi and g.sched.pc: the offsets the tracer reads through R14. */
  @Test
  void runtimeGOffsetsMatchDwarfdump() throws Exception {
    try (DwarfBinary b = DwarfBinary.open(Testdata.GO.binary())) {
      Type g = b.type("runtime.g").orElseThrow().stripped();
      assertEquals(memberOffset("runtime.g", "goid"), g.member("goid").offset(), "goid");
      Type.Member stack = g.member("stack");
      assertEquals(memberOffset("runtime.g", "stack"), stack.offset(), "stack");
      assertEquals(
          memberOffset("runtime.stack", "hi"),
          stack.type().stripped().member("hi").offset(),
          "stack.hi");
      Type.Member sched = g.member("sched");
      assertEquals(memberOffset("runtime.g", "sched"), sched.offset(), "sched");
      assertEquals(
          memberOffset("runtime.gobuf", "pc"),
          sched.type().stripped().member("pc").offset(),
          "sched.pc");
    }
  }

  @Test
  void goKindsAreRecognised() throws Exception {
    try (DwarfBinary b = DwarfBinary.open(Testdata.GO.binary())) {
      Function add = single(b.lookup("main.(*Counter).Add"));
      assertEquals(
          List.of("c", "n", "label", "~r0"),
          add.parameters().stream().map(Variable::name).toList());
      Type recv = add.parameters().get(0).type();
      assertEquals(Kind.POINTER, recv.kind());
      assertEquals(Kind.STRUCT, recv.target().stripped().kind());
      assertEquals(Kind.GO_STRING, add.parameters().get(2).type().stripped().kind());

      Function slices = single(b.lookup("main.Slices"));
      Type xs = slices.parameters().get(0).type().stripped();
      assertEquals(Kind.GO_SLICE, xs.kind());
      assertEquals("int", xs.target().name());
      assertEquals(memberOffsets("[]int"), xs.members().stream().map(Type.Member::offset).toList());

      Function mayFail = single(b.lookup("main.MayFail"));
      Type err = mayFail.results().get(1).type().stripped();
      assertEquals(Kind.GO_INTERFACE, err.kind());
      ODie iface = typeDie("error");
      assertEquals(iface.number("DW_AT_byte_size"), err.size());
      assertEquals(
          oracle.children(iface).stream().map(ODie::name).toList(),
          err.members().stream().map(Type.Member::name).toList());

      Function scale = single(b.lookup("main.Scale"));
      assertEquals(Kind.FLOAT, scale.parameters().get(0).type().stripped().kind());
    }
  }

  @Test
  void friendlyNamesAndSuggestions() throws Exception {
    try (DwarfBinary b = DwarfBinary.open(Testdata.GO.binary())) {
      assertEquals("main.(*Counter).Add", single(b.lookup("main.Counter.Add")).name());
      ResolveException e = assertThrows(ResolveException.class, () -> b.lookup("main.Splt"));
      assertTrue(e.getMessage().contains("main.Split"), e.getMessage());
    }
  }

  /** Every function symbol readelf lists, at its address and 4 bytes in, symbolizes to its name. */
  @Test
  void functionAddressesAreSymbolizedAsReadelfNamesThem() throws Exception {
    List<SymbolRow> symbols = ElfReadelfOracle.symbols(Testdata.GO.readelf());
    List<SymbolRow> functions =
        symbols.stream().filter(s -> s.type().equals("FUNC") && s.size() > 4).toList();
    assertTrue(functions.size() > 1000, "readelf lists functions: " + functions.size());
    try (DwarfBinary b = DwarfBinary.open(Testdata.GO.binary())) {
      int checked = 0;
      for (SymbolRow s : functions) {
        if (symbols.stream().filter(o -> o.value() == s.value() && o.size() > 0).count() > 1)
          continue; // aliases
        assertEquals(s.name(), b.symbolize(s.value()));
        assertEquals(s.name() + "+0x4", b.symbolize(s.value() + 4));
        checked++;
      }
      assertTrue(checked > 1000, "checked " + checked);
    }
  }

  @Test
  void symbolDirectedLookupEqualsIndexedLookup() throws Exception {
    for (String name :
        List.of(
            "main.Split", "main.(*Counter).Add", "main.MayFail", "main.main", "runtime.newproc")) {
      String fast;
      try (DwarfBinary b = DwarfBinary.open(Testdata.GO.binary())) {
        fast = render(b.lookup(name).get(0)); // first lookup: through the ELF symbol and one unit
      }
      String indexed;
      try (DwarfBinary b = DwarfBinary.open(Testdata.GO.binary())) {
        b.functionNames(null); // builds the full index first
        indexed = render(b.lookup(name).get(0));
      }
      assertEquals(indexed, fast, name);
    }
  }

  // ---- oracle side ----

  /** The DIE of a named type, through typedefs ({@code error} is a typedef of runtime.iface). */
  private static ODie typeDie(String name) {
    ODie d =
        oracle.named(name).stream()
            .findFirst()
            .orElseThrow(() -> new AssertionError("llvm-dwarfdump has no type " + name));
    for (int i = 0; i < 8 && d.tag().equals("DW_TAG_typedef"); i++)
      d = oracle.die(d.ref("DW_AT_type"));
    return d;
  }

  private static String nameOf(ODie d) {
    return d.name() != null
        ? d.name()
        : d.ref("DW_AT_abstract_origin") >= 0
            ? oracle.die(d.ref("DW_AT_abstract_origin")).name()
            : null;
  }

  private static boolean oracleInlined(ODie die) {
    long origin = die.ref("DW_AT_abstract_origin");
    if (origin < 0) return oracle.inlinedOrigins().contains(die.offset());
    String inl = oracle.die(origin).attrs().get("DW_AT_inline");
    return inl != null && !inl.startsWith("DW_INL_not_inlined")
        || oracle.inlinedOrigins().contains(origin);
  }

  /** "name type [result]" for each formal parameter, arguments first, then results. */
  private static List<String> expectedParameters(ODie fn) {
    List<String> args = new ArrayList<>();
    List<String> results = new ArrayList<>();
    List<ODie> params =
        oracle.children(fn).stream()
            .filter(c -> c.tag().equals("DW_TAG_formal_parameter"))
            .toList();
    if (params.isEmpty() && fn.ref("DW_AT_abstract_origin") >= 0) {
      params =
          oracle.children(oracle.die(fn.ref("DW_AT_abstract_origin"))).stream()
              .filter(c -> c.tag().equals("DW_TAG_formal_parameter"))
              .toList();
    }
    for (ODie p : params) {
      ODie src =
          p.ref("DW_AT_abstract_origin") >= 0 ? oracle.die(p.ref("DW_AT_abstract_origin")) : p;
      boolean result = src.flag("DW_AT_variable_parameter");
      (result ? results : args)
          .add(
              src.name()
                  + " "
                  + DwarfdumpOracle.goTypeName(src.refName("DW_AT_type"))
                  + (result ? " [result]" : ""));
    }
    args.addAll(results);
    return args;
  }

  private static long memberOffset(String type, String member) {
    ODie t =
        oracle.named(type).stream()
            .filter(d -> d.tag().equals("DW_TAG_structure_type"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("llvm-dwarfdump has no struct " + type));
    ODie m =
        oracle.children(t).stream()
            .filter(c -> member.equals(c.name()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("llvm-dwarfdump has no " + type + "." + member));
    long offset = m.number("DW_AT_data_member_location");
    assertTrue(offset >= 0, type + "." + member + " has an offset");
    return offset;
  }

  private static List<Long> memberOffsets(String type) {
    ODie t =
        oracle.named(type).stream()
            .filter(d -> d.tag().equals("DW_TAG_structure_type"))
            .findFirst()
            .orElseThrow();
    return oracle.children(t).stream()
        .filter(c -> c.tag().equals("DW_TAG_member"))
        .map(c -> c.number("DW_AT_data_member_location"))
        .toList();
  }

  private static Function single(List<Function> fs) {
    assertEquals(1, fs.size(), fs.toString());
    return fs.get(0);
  }

  private static String render(Function f) {
    return f.name()
        + " "
        + f.dieOffset()
        + " "
        + f.lowPc()
        + " "
        + f.ranges()
        + " "
        + f.inlined()
        + " "
        + f.producer()
        + " "
        + describe(f.parameters());
  }

  private static List<String> describe(List<Variable> vars) {
    return vars.stream()
        .map(v -> v.name() + " " + v.type().displayName() + (v.result() ? " [result]" : ""))
        .toList();
  }
}
