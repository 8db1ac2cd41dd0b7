package dev.dynlog.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.dwarf.DwarfdumpOracle.ODie;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.Language;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.symbols.Variable;
import dev.dynlog.types.Type;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The C++ target built by g++ and clang++ at -O0 and -O2, and in each ELF/DWARF encoding (DWARF 4,
 * zlib-compressed, .zdebug, separate debug file by build-id and by debuglink, shared object):
 * qualified names, entry points, ranges, parameters, return types, inlining and struct layouts must
 * agree with llvm-dwarfdump, nm and c++filt.
 */
@Tag("toolchain")
class CppDwarfTest {
  private static final Pattern TARGET_FUNCTIONS = Pattern.compile("^shop::|^truth::|^login$");
  private static final Map<String, DwarfdumpOracle> ORACLES = new ConcurrentHashMap<>();

  static List<CppSubject> subjects() {
    return CppSubject.all();
  }

  private static DwarfdumpOracle oracle(CppSubject s) throws Exception {
    DwarfdumpOracle o = ORACLES.get(s.id());
    if (o == null) {
      o = DwarfdumpOracle.of(s.dwarfFile());
      ORACLES.put(s.id(), o);
    }
    return o;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("subjects")
  void functionsMatchTheOracles(CppSubject s) throws Exception {
    DwarfdumpOracle oracle = oracle(s);
    Map<String, Long> symbols =
        nmAddresses(s.binary().equals(s.dwarfFile()) ? s.binary() : s.dwarfFile());
    try (DwarfBinary b = s.open()) {
      assertEquals(
          !s.binary().equals(s.dwarfFile()), b.debugFile().isPresent(), "separate debug file used");
      Map<Long, String> expectedNames = oracleFunctions(oracle);
      TreeSet<String> mine = new TreeSet<>(b.functionNames(TARGET_FUNCTIONS));
      TreeSet<String> missing = new TreeSet<>(expectedNames.values());
      missing.removeAll(mine);
      TreeSet<String> extra = new TreeSet<>(mine);
      extra.removeAll(expectedNames.values());
      assertTrue(
          missing.isEmpty() && extra.isEmpty(),
          "qualified names: missing " + missing + ", unexpected " + extra);
      assertTrue(
          mine.containsAll(
              List.of("shop::Cart::describe", "shop::price", "shop::Tag::Tag", "login")),
          mine.toString());
      int checked = 0;
      int inlined = 0;
      for (String name : mine) {
        for (Function f : b.lookup(name)) {
          String where = name + " at DIE 0x" + Long.toHexString(f.dieOffset());
          assertEquals(name, expectedNames.get(f.dieOffset()), where);
          ODie die = oracle.die(f.dieOffset());
          List<ODie> chain = chain(oracle, die);
          assertEquals(Language.CPP, f.language(), where);
          String symbol = f.linkageName() != null ? f.linkageName() : name;
          assertEquals(oracleLinkage(chain), f.linkageName(), where + " linkage name");
          // entry: the symbol's address (nm), or for functions without a linkage name the DIE's
          // low_pc
          long entry =
              f.linkageName() != null || symbols.containsKey(symbol)
                  ? symbols.get(symbol)
                  : die.ranges().get(0)[0];
          assertEquals(entry, f.lowPc(), where + " entry (nm " + symbol + ")");
          assertEquals(
              rangeSet(die.ranges()),
              rangeSet(f.ranges().stream().map(r -> new long[] {r.low(), r.high()}).toList()),
              where + " ranges");
          assertTrue(f.ranges().get(0).contains(f.lowPc()), where + " first range holds the entry");
          assertEquals(
              expectedParameters(oracle, chain), describe(f.parameters()), where + " parameters");
          assertEquals(
              returnType(chain),
              f.returnType() == null ? null : strip(f.returnType().displayName()),
              where + " return type");
          assertEquals(oracleInlined(oracle, chain), f.inlined(), where + " inlined");
          if (f.inlined()) inlined++;
          checked++;
        }
      }
      assertTrue(checked >= 15, "checked " + checked + " functions");
      // -fPIC keeps exported functions interposable, so the shared object has no inlined ones
      if (!s.id().endsWith("-O0") && !s.id().equals("CPP_SHARED_OBJECT")) {
        assertTrue(inlined > 0, s.id() + ": an optimised build inlines some truth:: helpers");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("subjects")
  void structLayoutsMatchDwarfdump(CppSubject s) throws Exception {
    DwarfdumpOracle oracle = oracle(s);
    try (DwarfBinary b = s.open()) {
      for (String simple : List.of("Money", "Big", "Mixed", "Tag", "Cart")) {
        Type t =
            b.type("shop::" + simple)
                .orElseThrow(() -> new AssertionError("no type shop::" + simple))
                .stripped();
        ODie o =
            oracle.named(simple).stream()
                .filter(
                    d ->
                        d.tag().equals("DW_TAG_structure_type")
                            || d.tag().equals("DW_TAG_class_type"))
                .filter(d -> !d.flag("DW_AT_declaration"))
                .filter(d -> "shop".equals(oracle.parent(d).name()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("llvm-dwarfdump has no shop::" + simple));
        assertEquals(o.number("DW_AT_byte_size"), t.size(), simple + " size");
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
            t.members().stream()
                .map(m -> m.name() + "@" + m.offset() + ":" + strip(m.type().displayName()))
                .toList();
        assertEquals(expected, actual, simple + " members");
        String cc = o.attrs().get("DW_AT_calling_convention");
        int expectedCc =
            cc == null
                ? 0
                : cc.startsWith("DW_CC_pass_by_reference")
                    ? 4
                    : cc.startsWith("DW_CC_pass_by_value") ? 5 : -1;
        assertEquals(expectedCc, t.callingConvention(), simple + " calling convention " + cc);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("subjects")
  void overloadsArePickedByParameterTypes(CppSubject s) throws Exception {
    try (DwarfBinary b = s.open()) {
      assertEquals(3, b.lookup("shop::price").size());
      assertEquals("_ZN4shop5priceEi", single(b.lookup("shop::price(int)")).linkageName());
      assertEquals(
          "_ZN4shop5priceEPKc", single(b.lookup("shop::price(const char *)")).linkageName());
      assertEquals(
          "_ZN4shop5priceEPKc", single(b.lookup("shop::price(const char*)")).linkageName());
      assertEquals("_ZN4shop5priceEd", single(b.lookup("shop::price(double)")).linkageName());
      ResolveException none =
          assertThrows(ResolveException.class, () -> b.lookup("shop::price(float)"));
      assertTrue(
          none.getMessage().contains("shop::price(const char *)")
              && none.getMessage().contains("shop::price(double)"),
          none.getMessage());
      ResolveException typo = assertThrows(ResolveException.class, () -> b.lookup("shop::prise"));
      assertTrue(typo.getMessage().contains("closest names: shop::price"), typo.getMessage());
      Function add = single(b.lookup("shop::Cart::add"));
      assertTrue(add.parameters().get(0).artificial(), "this comes first");
      assertEquals("this", add.parameters().get(0).name());
      assertEquals(
          List.of("n"),
          add.arguments().stream().filter(v -> !v.artificial()).map(Variable::name).toList());
      assertFalse(b.lookup("shop::Tag::Tag(int, const char *)").isEmpty());
    }
  }

  private static Function single(List<Function> fs) {
    assertEquals(1, fs.size(), fs.toString());
    return fs.get(0);
  }

  // ---- oracle side ----

  /**
   * DIE offset → qualified name (c++filt of the linkage name without parameters) of target
   * functions with code.
   */
  private static Map<Long, String> oracleFunctions(DwarfdumpOracle oracle) throws Exception {
    Map<Long, String> linkage = new HashMap<>();
    Map<Long, String> plain = new HashMap<>();
    for (long off : oracle.offsetsWithTag("DW_TAG_subprogram")) {
      ODie d = oracle.die(off);
      List<long[]> ranges = d.ranges();
      if (ranges.isEmpty() || ranges.get(0)[0] == 0 || d.flag("DW_AT_declaration")) continue;
      List<ODie> chain = chain(oracle, d);
      String l = oracleLinkage(chain);
      if (l != null) linkage.put(off, l);
      else plain.put(off, scopedName(oracle, chain));
    }
    Map<String, String> demangled = demangle(new TreeSet<>(linkage.values()));
    Map<Long, String> out = new HashMap<>();
    linkage.forEach(
        (off, l) -> {
          String n = withoutParameters(demangled.get(l));
          if (TARGET_FUNCTIONS.matcher(n).find()) out.put(off, n);
        });
    plain.forEach(
        (off, n) -> {
          if (n != null && TARGET_FUNCTIONS.matcher(n).find()) out.put(off, n);
        });
    return out;
  }

  /**
   * Qualified name of a function without a linkage name (C functions, internal-linkage C++
   * functions): its name, prefixed by the enclosing namespaces and classes as llvm-dwarfdump shows
   * the tree.
   */
  private static String scopedName(DwarfdumpOracle oracle, List<ODie> chain) {
    ODie named = chain.stream().filter(d -> d.name() != null).findFirst().orElse(null);
    if (named == null) return null;
    StringBuilder sb = new StringBuilder(named.name());
    for (ODie p = oracle.parent(named); p != null && p.depth() > 0; p = oracle.parent(p)) {
      switch (p.tag()) {
        case "DW_TAG_namespace" -> {
          if (p.name() == null) sb.insert(0, "(anonymous namespace)::");
          else if (!p.flag("DW_AT_export_symbols"))
            sb.insert(0, p.name() + "::"); // inline namespaces do not qualify
        }
        case "DW_TAG_class_type", "DW_TAG_structure_type", "DW_TAG_union_type" ->
            sb.insert(0, p.name() + "::");
        default -> {}
      }
    }
    return sb.toString();
  }

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

  private static List<String> expectedParameters(DwarfdumpOracle oracle, List<ODie> chain) {
    List<ODie> best = null;
    for (ODie c : chain) {
      List<ODie> ps =
          oracle.children(c).stream()
              .filter(x -> x.tag().equals("DW_TAG_formal_parameter"))
              .toList();
      if (ps.isEmpty()) continue;
      if (best == null || best.size() < ps.size()) best = ps;
      // the parameters the code really has: the first DIE whose parameters are all named, directly
      // or
      // through their abstract_origin (a concrete copy may differ from its abstract instance)
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

  /** {@code ns::f(int, char const*) const} → {@code ns::f}. */
  static String withoutParameters(String demangled) {
    String s = demangled.strip();
    if (s.endsWith(" const")) s = s.substring(0, s.length() - 6);
    if (!s.endsWith(")")) return s;
    int depth = 0;
    for (int i = s.length() - 1; i >= 0; i--) {
      char c = s.charAt(i);
      if (c == ')') depth++;
      else if (c == '(' && --depth == 0) return s.substring(0, i);
    }
    return s;
  }

  private static Map<String, String> demangle(TreeSet<String> names)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder("c++filt").redirectErrorStream(true).start();
    p.getOutputStream()
        .write(String.join("\n", names).concat("\n").getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    List<String> out =
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    assertTrue(p.waitFor(1, TimeUnit.MINUTES) && p.exitValue() == 0, "c++filt failed");
    assertEquals(names.size(), out.size(), "c++filt output lines");
    Map<String, String> m = new HashMap<>();
    int i = 0;
    for (String n : names) m.put(n, out.get(i++));
    return m;
  }

  /** Symbol name → address from {@code nm --defined-only} (mangled names). */
  private static Map<String, Long> nmAddresses(Path file) throws IOException, InterruptedException {
    Path out = Files.createTempFile("nm", ".txt");
    try {
      Process p =
          new ProcessBuilder("nm", "--defined-only", file.toString())
              .redirectOutput(out.toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      assertTrue(p.waitFor(1, TimeUnit.MINUTES) && p.exitValue() == 0, "nm failed on " + file);
      Map<String, Long> m = new HashMap<>();
      for (String line : Files.readAllLines(out)) {
        String[] f = line.split(" ");
        if (f.length == 3) m.putIfAbsent(f[2], Long.parseUnsignedLong(f[0], 16));
      }
      return m;
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
