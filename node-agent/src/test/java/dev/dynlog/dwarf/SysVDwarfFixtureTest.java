package dev.dynlog.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.dwarf.DwarfdumpOracle.ODie;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.Language;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.symbols.Variable;
import dev.dynlog.testing.Testdata;
import dev.dynlog.types.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Quick tier: the DWARF reader on the checked-in C and C++ fixtures (gcc -O0, -O2, -O2 with
 * zlib-compressed sections; g++ -O2) against the {@code llvm-dwarfdump --debug-info} and {@code
 * readelf -s} output stored with them: qualified names built from the DIE tree, entry points,
 * ranges, parameters, return types, inlining, struct layouts and C++ overloads.
 */
class SysVDwarfFixtureTest {
  private static final Map<Testdata, DwarfdumpOracle> ORACLES = new HashMap<>();

  static List<Testdata> fixtures() {
    return Testdata.systemV();
  }

  private static synchronized DwarfdumpOracle oracle(Testdata t) throws Exception {
    DwarfdumpOracle o = ORACLES.get(t);
    if (o == null) {
      o = DwarfdumpOracle.parse(t.binary(), t.dwarfdump());
      ORACLES.put(t, o);
    }
    return o;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void functionsMatchDwarfdumpAndReadelf(Testdata t) throws Exception {
    DwarfdumpOracle oracle = oracle(t);
    Map<String, Long> symbols = new HashMap<>();
    ElfReadelfOracle.symbols(t.readelf()).forEach(s -> symbols.putIfAbsent(s.name(), s.value()));
    Map<Long, String> expectedNames = oracleFunctions(oracle);
    try (DwarfBinary b = DwarfBinary.open(t.binary())) {
      assertEquals(
          new TreeSet<>(expectedNames.values()),
          new TreeSet<>(b.functionNames(null)),
          "functions with code");
      int checked = 0;
      for (String name : new TreeSet<>(expectedNames.values())) {
        for (Function f : b.lookup(name)) {
          String where = name + " at DIE 0x" + Long.toHexString(f.dieOffset());
          assertEquals(name, expectedNames.get(f.dieOffset()), where);
          ODie die = oracle.die(f.dieOffset());
          List<ODie> chain = chain(oracle, die);
          assertEquals(t.equals(Testdata.CPP_O2) ? Language.CPP : Language.C, f.language(), where);
          assertEquals(oracleLinkage(chain), f.linkageName(), where + " linkage name");
          String symbol = f.linkageName() != null ? f.linkageName() : name;
          long entry = symbols.containsKey(symbol) ? symbols.get(symbol) : die.ranges().get(0)[0];
          assertEquals(entry, f.lowPc(), where + " entry (readelf -s " + symbol + ")");
          assertEquals(
              rangeSet(die.ranges()),
              rangeSet(f.ranges().stream().map(r -> new long[] {r.low(), r.high()}).toList()),
              where + " ranges");
          assertEquals(
              expectedParameters(oracle, chain), describe(f.parameters()), where + " parameters");
          assertEquals(
              returnType(chain),
              f.returnType() == null ? null : strip(f.returnType().displayName()),
              where + " return type");
          assertEquals(oracleInlined(oracle, chain), f.inlined(), where + " inlined");
          checked++;
        }
      }
      assertTrue(checked >= 7, "checked " + checked + " functions");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void structLayoutsMatchDwarfdump(Testdata t) throws Exception {
    DwarfdumpOracle oracle = oracle(t);
    boolean cpp = t.equals(Testdata.CPP_O2);
    List<String> names =
        cpp ? List.of("Money", "Tag", "Cart") : List.of("point", "mixed", "big", "node");
    try (DwarfBinary b = DwarfBinary.open(t.binary())) {
      for (String simple : names) {
        String qualified = cpp ? "shop::" + simple : simple;
        Type type =
            b.type(qualified)
                .orElseThrow(() -> new AssertionError("no type " + qualified))
                .stripped();
        ODie o =
            oracle.named(simple).stream()
                .filter(
                    d ->
                        d.tag().equals("DW_TAG_structure_type")
                            || d.tag().equals("DW_TAG_class_type"))
                .filter(d -> !d.flag("DW_AT_declaration"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("llvm-dwarfdump has no " + qualified));
        assertEquals(o.number("DW_AT_byte_size"), type.size(), qualified + " size");
        List<String> expected = new ArrayList<>();
        for (ODie m : oracle.children(o)) {
          if (m.tag().equals("DW_TAG_member")
              && !m.flag("DW_AT_declaration")
              && !m.flag("DW_AT_external")) {
            expected.add(
                m.name()
                    + "@"
                    + m.number("DW_AT_data_member_location")
                    + ":"
                    + strip(DwarfdumpOracle.normalizeTypeName(m.refName("DW_AT_type"))));
          }
        }
        List<String> actual =
            type.members().stream()
                .map(m -> m.name() + "@" + m.offset() + ":" + strip(m.type().displayName()))
                .toList();
        assertTrue(expected.size() >= 1, qualified + " has members");
        assertEquals(expected, actual, qualified + " members");
        String cc = o.attrs().get("DW_AT_calling_convention");
        int expectedCc =
            cc == null
                ? 0
                : cc.startsWith("DW_CC_pass_by_reference")
                    ? 4
                    : cc.startsWith("DW_CC_pass_by_value") ? 5 : -1;
        assertEquals(expectedCc, type.callingConvention(), qualified + " calling convention " + cc);
      }
    }
  }

  /**
   * Both shop::price overloads are found, and a parameter list picks the one llvm-dwarfdump shows
   * with it.
   */
  @Test
  void overloadsArePickedByParameterTypes() throws Exception {
    DwarfdumpOracle oracle = oracle(Testdata.CPP_O2);
    Map<String, String> linkageByParameter = new TreeMap<>();
    for (ODie d : oracle.named("price")) {
      if (!d.tag().equals("DW_TAG_subprogram")) continue;
      ODie p =
          oracle.children(d).stream()
              .filter(c -> c.tag().equals("DW_TAG_formal_parameter"))
              .findFirst()
              .orElseThrow();
      linkageByParameter.put(
          strip(DwarfdumpOracle.normalizeTypeName(p.refName("DW_AT_type"))),
          DwarfdumpOracle.unquote(d.attrs().get("DW_AT_linkage_name")));
    }
    assertEquals(2, linkageByParameter.size(), linkageByParameter.toString());
    try (DwarfBinary b = DwarfBinary.open(Testdata.CPP_O2.binary())) {
      assertEquals(2, b.lookup("shop::price").size());
      assertEquals(
          linkageByParameter.get("int"), single(b.lookup("shop::price(int)")).linkageName());
      assertEquals(
          linkageByParameter.get("constchar*"),
          single(b.lookup("shop::price(const char *)")).linkageName());
      assertEquals(
          linkageByParameter.get("constchar*"),
          single(b.lookup("shop::price(const char*)")).linkageName());
      ResolveException none =
          assertThrows(ResolveException.class, () -> b.lookup("shop::price(float)"));
      assertTrue(none.getMessage().contains("shop::price(const char *)"), none.getMessage());
      Function add = single(b.lookup("shop::Cart::add"));
      assertTrue(add.parameters().get(0).artificial(), "this comes first");
      assertEquals("this", add.parameters().get(0).name());
    }
  }

  /** The zlib-compressed build reads exactly as the uncompressed one (same source and flags). */
  @Test
  void compressedDwarfReadsLikeUncompressed() throws Exception {
    try (DwarfBinary plain = DwarfBinary.open(Testdata.C_O2.binary());
        DwarfBinary zlib = DwarfBinary.open(Testdata.C_O2_ZLIB.binary())) {
      assertEquals(plain.functionNames(null), zlib.functionNames(null));
      for (String name : plain.functionNames(null)) {
        Function p = single(plain.lookup(name));
        Function z = single(zlib.lookup(name));
        assertEquals(
            p.lowPc() + " " + p.ranges() + " " + describe(p.parameters()),
            z.lowPc() + " " + z.ranges() + " " + describe(z.parameters()),
            name);
      }
    }
  }

  private static Function single(List<Function> fs) {
    assertEquals(1, fs.size(), fs.toString());
    return fs.get(0);
  }

  // ---- oracle side ----

  /** DIE offset → qualified name, from the DIE tree, of every subprogram with code. */
  private static Map<Long, String> oracleFunctions(DwarfdumpOracle oracle) {
    Map<Long, String> out = new HashMap<>();
    for (long off : oracle.offsetsWithTag("DW_TAG_subprogram")) {
      ODie d = oracle.die(off);
      List<long[]> ranges = d.ranges();
      if (ranges.isEmpty() || ranges.get(0)[0] == 0 || d.flag("DW_AT_declaration")) continue;
      String n = scopedName(oracle, chain(oracle, d));
      if (n != null) out.put(off, n);
    }
    return out;
  }

  /** The first named DIE of the chain, prefixed by its enclosing namespaces and classes. */
  private static String scopedName(DwarfdumpOracle oracle, List<ODie> chain) {
    ODie named = chain.stream().filter(d -> d.name() != null).findFirst().orElse(null);
    if (named == null) return null;
    StringBuilder sb = new StringBuilder(named.name());
    for (ODie p = oracle.parent(named); p != null && p.depth() > 0; p = oracle.parent(p)) {
      switch (p.tag()) {
        case "DW_TAG_namespace" ->
            sb.insert(0, (p.name() == null ? "(anonymous namespace)" : p.name()) + "::");
        case "DW_TAG_class_type", "DW_TAG_structure_type", "DW_TAG_union_type" ->
            sb.insert(0, p.name() + "::");
        default -> {}
      }
    }
    return sb.toString();
  }

  /** The DIE, then the DIEs its abstract origin or specification lead to. */
  private static List<ODie> chain(DwarfdumpOracle oracle, ODie d) {
    List<ODie> chain = new ArrayList<>(List.of(d));
    ODie cur = d;
    for (int i = 0; i < 8; i++) {
      long next = cur.ref("DW_AT_abstract_origin");
      if (next < 0) next = cur.ref("DW_AT_specification");
      if (next < 0) break;
      cur = oracle.die(next);
      chain.add(cur);
    }
    return chain;
  }

  private static String oracleLinkage(List<ODie> chain) {
    return chain.stream()
        .map(d -> DwarfdumpOracle.unquote(d.attrs().get("DW_AT_linkage_name")))
        .filter(n -> n != null)
        .findFirst()
        .orElse(null);
  }

  private static boolean oracleInlined(DwarfdumpOracle oracle, List<ODie> chain) {
    for (ODie d : chain) {
      String inl = d.attrs().get("DW_AT_inline");
      if (inl != null
          && (inl.startsWith("DW_INL_inlined") || inl.startsWith("DW_INL_declared_inlined")))
        return true;
      if (oracle.inlinedOrigins().contains(d.offset())) return true;
    }
    return false;
  }

  /**
   * "name type [artificial]" of the parameters of the first DIE in the chain that names them all.
   */
  private static List<String> expectedParameters(DwarfdumpOracle oracle, List<ODie> chain) {
    List<ODie> best = null;
    for (ODie c : chain) {
      List<ODie> ps =
          oracle.children(c).stream()
              .filter(x -> x.tag().equals("DW_TAG_formal_parameter"))
              .toList();
      if (ps.isEmpty()) continue;
      if (best == null || best.size() < ps.size()) best = ps;
      if (ps.stream()
          .allMatch(
              p ->
                  p.name() != null
                      || p.flag("DW_AT_artificial")
                      || p.attrs().containsKey("DW_AT_abstract_origin"))) {
        best = ps;
        break;
      }
    }
    List<String> out = new ArrayList<>();
    if (best == null) return out;
    for (ODie p : best) {
      String name = null;
      String type = null;
      boolean artificial = false;
      ODie cur = p;
      for (int i = 0; i < 8 && cur != null; i++) {
        if (name == null) name = cur.name();
        if (type == null) type = cur.refName("DW_AT_type");
        artificial |= cur.flag("DW_AT_artificial");
        long next = cur.ref("DW_AT_abstract_origin");
        cur = next < 0 ? null : oracle.die(next);
      }
      out.add(
          name
              + " "
              + strip(DwarfdumpOracle.normalizeTypeName(type))
              + (artificial ? " [artificial]" : ""));
    }
    return out;
  }

  private static String returnType(List<ODie> chain) {
    for (ODie d : chain) {
      if (d.attrs().containsKey("DW_AT_type"))
        return strip(DwarfdumpOracle.normalizeTypeName(d.refName("DW_AT_type")));
    }
    return null;
  }

  private static List<String> describe(List<Variable> vars) {
    return vars.stream()
        .map(
            v ->
                v.name()
                    + " "
                    + strip(v.type().displayName())
                    + (v.artificial() ? " [artificial]" : ""))
        .toList();
  }

  private static TreeSet<String> rangeSet(List<long[]> ranges) {
    TreeSet<String> out = new TreeSet<>();
    for (long[] r : ranges) out.add(Long.toHexString(r[0]) + "-" + Long.toHexString(r[1]));
    return out;
  }

  /** Type spellings compared without blanks ({@code const char *} = {@code const char*}). */
  private static String strip(String t) {
    return t == null ? null : t.replaceAll("\\s+", "");
  }
}
