package dev.dynlog.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.dwarf.DwarfdumpOracle.ODie;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.Language;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.symbols.Variable;
import dev.dynlog.testing.GoVariant;
import dev.dynlog.testing.Targets;
import dev.dynlog.types.Type;
import dev.dynlog.types.Type.Kind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Go target built by every pinned Go version, optimised and with {@code -N -l}: every function
 * of the target's packages, its parameters and their types, and the layout of chosen structs must
 * agree with {@code llvm-dwarfdump}.
 */
@Tag("toolchain")
class GoDwarfTest {
  private static final String PKG = "dynlog.dev/targets/";
  private static final Map<GoVariant, DwarfdumpOracle> ORACLES = new ConcurrentHashMap<>();

  static List<GoVariant> variants() {
    return Targets.goVariants();
  }

  private static DwarfdumpOracle oracle(GoVariant v, Path binary) throws Exception {
    DwarfdumpOracle o = ORACLES.get(v);
    if (o == null) {
      o = DwarfdumpOracle.of(binary);
      ORACLES.put(v, o);
    }
    return o;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyTargetFunctionMatchesDwarfdump(GoVariant v) throws Exception {
    Path binary = Targets.build(v);
    DwarfdumpOracle oracle = oracle(v, binary);
    try (DwarfBinary b = DwarfBinary.open(binary)) {
      List<String> names = b.functionNames(Pattern.compile("^" + Pattern.quote(PKG)));
      int inlined = 0;
      assertEquals(
          oracleFunctionNames(oracle),
          new TreeSet<>(names),
          "functions with code in the target packages");
      for (String name : names) {
        List<Function> fs = b.lookup(name);
        assertEquals(1, fs.size(), name);
        Function f = fs.get(0);
        ODie die = oracle.die(f.dieOffset());
        assertEquals("DW_TAG_subprogram", die.tag(), name);
        assertEquals(name, nameOf(oracle, die), "name of DIE 0x" + Long.toHexString(f.dieOffset()));
        assertEquals(Language.GO, f.language());
        assertTrue(f.goRegisterAbi(), name + " producer " + f.producer());
        assertEquals(die.number("DW_AT_low_pc"), f.lowPc(), name + " entry");
        assertEquals(die.number("DW_AT_high_pc"), f.ranges().get(0).high(), name + " end");
        assertEquals(
            expectedParameters(oracle, die), describe(f.parameters()), name + " parameters");
        assertEquals(oracleInlined(oracle, die), f.inlined(), name + " inlined");
        if (f.inlined()) inlined++;
      }
      if (v.optimised())
        assertTrue(inlined > 0, "an optimised build has out-of-line copies of inlined functions");
    }
  }

  /**
   * Inlined somewhere: its abstract origin is marked DW_AT_inline or some inlined_subroutine names
   * it.
   */
  private static boolean oracleInlined(DwarfdumpOracle oracle, ODie die) {
    long origin = die.ref("DW_AT_abstract_origin");
    if (origin < 0) return oracle.inlinedOrigins().contains(die.offset());
    ODie abs = oracle.die(origin);
    String inl = abs.attrs().get("DW_AT_inline");
    return inl != null && !inl.startsWith("DW_INL_not_inlined")
        || oracle.inlinedOrigins().contains(origin);
  }

  /**
   * Data symbols (Go itabs such as {@code go:itab.*errors.errorString,error} where the linker emits
   * them, type descriptors, runtime variables) and functions are named as nm names them.
   */
  /**
   * Optimised Go builds list some unnamed results twice in DWARF (two "~r0" DIEs for one result;
   * time.readFile has ~r0 ~r0 ~r1 ~r1): each result must still be counted once, or every result
   * after it would be placed in the wrong registers.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void repeatedUnnamedResultsCountOnce(GoVariant v) throws Exception {
    try (DwarfBinary b = DwarfBinary.open(Targets.build(v))) {
      Function f = b.lookup("time.readFile").get(0);
      assertEquals(
          List.of("~r0 []uint8", "~r1 error"),
          f.results().stream().map(r -> r.name() + " " + r.type().displayName()).toList(),
          v.toString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void dataAndFunctionAddressesAreSymbolized(GoVariant v) throws Exception {
    Path binary = Targets.build(v);
    Map<Long, Set<String>> byAddress = new HashMap<>();
    Map<String, long[]> sized = new TreeMap<>();
    for (String line :
        ElfReadelfOracle.run("nm", "-S", "--defined-only", binary.toString()).lines().toList()) {
      String[] f = line.split(" ", 4);
      if (f.length == 3)
        byAddress.computeIfAbsent(Long.parseUnsignedLong(f[0], 16), k -> new HashSet<>()).add(f[2]);
      if (f.length != 4) continue;
      long addr = Long.parseUnsignedLong(f[0], 16);
      byAddress.computeIfAbsent(addr, k -> new HashSet<>()).add(f[3]);
      if ("RrDdBb".contains(f[2]) && Long.parseUnsignedLong(f[1], 16) >= 16)
        sized.put(f[3], new long[] {addr, Long.parseUnsignedLong(f[1], 16)});
    }
    assertTrue(sized.size() > 100, "nm lists data objects");
    try (DwarfBinary b = DwarfBinary.open(binary)) {
      int itabs = 0;
      for (Map.Entry<String, long[]> e : sized.entrySet()) {
        long addr = e.getValue()[0];
        if (byAddress.get(addr).size() > 1) continue; // aliases: any of them is right
        assertEquals(e.getKey(), b.symbolize(addr));
        assertEquals(e.getKey() + "+0x8", b.symbolize(addr + 8));
        if (e.getKey().startsWith("go:itab.")) itabs++;
      }
      if (v.version().compareTo("go1.27") < 0)
        assertTrue(itabs > 0, "itab symbols of " + v.version());
      Function sum = b.lookup(PKG + "shop.Sum").get(0);
      assertEquals(PKG + "shop.Sum", b.symbolize(sum.lowPc()));
      assertEquals(PKG + "shop.Sum+0x4", b.symbolize(sum.lowPc() + 4));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void structLayoutsMatchDwarfdump(GoVariant v) throws Exception {
    Path binary = Targets.build(v);
    DwarfdumpOracle oracle = oracle(v, binary);
    try (DwarfBinary b = DwarfBinary.open(binary)) {
      for (String type :
          List.of(
              PKG + "pb.Money",
              PKG + "shop.Cart",
              PKG + "shop.Service",
              PKG + "shop.Request",
              PKG + "abi.Nine",
              PKG + "abi.Ten",
              PKG + "abi.Mixed",
              PKG + "abi.ZeroArr",
              "runtime.g",
              "runtime.stack")) {
        Type t = b.type(type).orElseThrow(() -> new AssertionError("no type " + type)).stripped();
        ODie o =
            oracle.named(type).stream()
                .filter(d -> d.tag().equals("DW_TAG_structure_type"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("llvm-dwarfdump has no struct " + type));
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
        assertEquals(expected, actual, type + " members");
      }
      Type g = b.type("runtime.g").orElseThrow();
      assertNotNull(g.member("goid"), "runtime.g.goid");
      Type stack = g.member("stack").type().stripped();
      assertEquals(8, stack.member("hi").offset(), "runtime.stack.hi");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void goKindsAreRecognised(GoVariant v) throws Exception {
    try (DwarfBinary b = DwarfBinary.open(Targets.build(v))) {
      Function login = b.lookup(PKG + "shop.(*Service).Login").get(0);
      assertEquals(
          List.of("s", "username", "~r0", "~r1"),
          login.parameters().stream().map(Variable::name).toList());
      Type recv = login.parameters().get(0).type();
      assertEquals(Kind.POINTER, recv.kind());
      Type service = recv.target().stripped();
      assertEquals(Kind.STRUCT, service.kind());
      assertEquals(Kind.GO_MAP, service.member("Users").type().stripped().kind());
      assertEquals(Kind.GO_STRING, login.parameters().get(1).type().stripped().kind());
      assertEquals(Kind.BOOL, login.results().get(0).type().stripped().kind());
      Type err = login.results().get(1).type().stripped();
      assertEquals(Kind.GO_INTERFACE, err.kind());
      assertEquals(16, err.size());
      assertEquals(List.of("tab", "data"), err.members().stream().map(Type.Member::name).toList());

      Function strs = b.lookup(PKG + "abi.Strs").get(0);
      Type bytes = strs.parameters().get(1).type().stripped();
      assertEquals(Kind.GO_SLICE, bytes.kind());
      assertEquals("[]uint8", bytes.name());
      assertEquals("uint8", bytes.target().name());
      assertEquals(
          List.of(0L, 8L, 16L), bytes.members().stream().map(Type.Member::offset).toList());

      Function arrays = b.lookup(PKG + "abi.Arrays").get(0);
      Type two = arrays.parameters().get(1).type().stripped();
      assertEquals(Kind.ARRAY, two.kind());
      assertEquals(2, two.count());
      assertEquals(16, two.size());
      Type zero =
          b.type(PKG + "abi.ZeroArr").orElseThrow().stripped().member("Z").type().stripped();
      assertEquals(0, zero.count());
      assertEquals(0, zero.size());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void friendlyNamesAndSuggestions(GoVariant v) throws Exception {
    try (DwarfBinary b = DwarfBinary.open(Targets.build(v))) {
      List<String> max = b.lookup("abi.Max").stream().map(Function::name).sorted().toList();
      assertEquals(List.of(PKG + "abi.Max[go.shape.int]", PKG + "abi.Max[go.shape.string]"), max);
      assertEquals(
          List.of(PKG + "abi.Max[go.shape.string]"),
          b.lookup("abi.Max[string]").stream().map(Function::name).toList());
      assertEquals(
          PKG + "abi.Max[go.shape.int]", b.lookup(PKG + "abi.Max[go.shape.int]").get(0).name());
      assertEquals(PKG + "shop.(*Service).Login", b.lookup("shop.Service.Login").get(0).name());
      assertEquals(PKG + "shop.Cart.Total", b.lookup("shop.Cart.Total").get(0).name());
      ResolveException e =
          assertThrows(ResolveException.class, () -> b.lookup("shop.(*Service).Logn"));
      assertTrue(e.getMessage().contains(PKG + "shop.(*Service).Login"), e.getMessage());
      assertTrue(e.getMessage().contains("Logn"), e.getMessage());
      assertFalse(b.functionNames(Pattern.compile("^main\\.main$")).isEmpty());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void symbolDirectedLookupEqualsIndexedLookup(GoVariant v) throws Exception {
    Path binary = Targets.build(v);
    List<String> names =
        List.of(
            PKG + "shop.Sum",
            PKG + "shop.(*Service).Login",
            PKG + "abi.FillNine",
            PKG + "abi.Strs",
            PKG + "shop.(*Service).Lookup",
            "main.main",
            "runtime.newproc");
    for (String name : names) {
      Function fast;
      try (DwarfBinary b = DwarfBinary.open(binary)) {
        fast = b.lookup(name).get(0); // first lookup: found through the ELF symbol and one unit
      }
      Function indexed;
      try (DwarfBinary b = DwarfBinary.open(binary)) {
        b.functionNames(null); // builds the full index first
        indexed = b.lookup(name).get(0);
      }
      assertEquals(render(indexed), render(fast), name);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void runtimeUnitTypeLookupEqualsIndexedLookup(GoVariant v) throws Exception {
    Path binary = Targets.build(v);
    for (String name :
        List.of("runtime.g", PKG + "pb.Money", PKG + "shop.Service", "error", "[]uint8")) {
      String fast;
      try (DwarfBinary b = DwarfBinary.open(binary)) {
        fast = renderType(b.type(name).orElseThrow()); // before any index: the runtime unit alone
      }
      String indexed;
      try (DwarfBinary b = DwarfBinary.open(binary)) {
        b.functionNames(null);
        indexed = renderType(b.type(name).orElseThrow());
      }
      assertEquals(indexed, fast, name);
    }
  }

  private static String renderType(Type t) {
    Type s = t.stripped();
    return t.name()
        + " "
        + t.kind()
        + " "
        + t.dieOffset()
        + " "
        + s.kind()
        + " "
        + s.size()
        + " "
        + s.members().stream()
            .map(m -> m.name() + "@" + m.offset() + ":" + m.type().displayName())
            .toList();
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
        + describe(f.parameters())
        + " "
        + f.parameters().stream()
            .map(p -> p.type().stripped().kind() + "/" + p.type().size())
            .toList();
  }

  /** Names of subprograms with code whose own or abstract-origin name is in the target packages. */
  private static TreeSet<String> oracleFunctionNames(DwarfdumpOracle oracle) {
    TreeSet<String> out = new TreeSet<>();
    for (long off : oracle.offsetsWithTag("DW_TAG_subprogram")) {
      ODie d = oracle.die(off);
      if (d.number("DW_AT_low_pc") <= 0) continue;
      String n = nameOf(oracle, d);
      if (n != null && n.startsWith(PKG)) out.add(n);
    }
    return out;
  }

  private static String nameOf(DwarfdumpOracle oracle, ODie d) {
    return d.name() != null ? d.name() : oracle.die(d.ref("DW_AT_abstract_origin")).name();
  }

  /** "name type [result]" for each formal parameter, arguments first, then results. */
  private static List<String> expectedParameters(DwarfdumpOracle oracle, ODie fn) {
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

  static List<String> describe(List<Variable> vars) {
    return vars.stream()
        .map(v -> v.name() + " " + v.type().displayName() + (v.result() ? " [result]" : ""))
        .toList();
  }
}
