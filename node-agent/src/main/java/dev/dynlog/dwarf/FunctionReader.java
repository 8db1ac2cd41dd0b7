package dev.dynlog.dwarf;

import dev.dynlog.elf.ElfSymbol;
import dev.dynlog.elf.SymbolTable;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.Function.Range;
import dev.dynlog.symbols.Language;
import dev.dynlog.symbols.Variable;
import dev.dynlog.types.Type;
import dev.dynlog.types.Type.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes one subprogram DIE into a {@link Function}: entry and ranges, parameters in declaration
 * order (following DW_AT_abstract_origin / DW_AT_specification to where names and types live),
 * return type and whether the function was inlined somewhere.
 */
final class FunctionReader {
  private static final int MAX_CHAIN = 8;

  private final DebugInfo info;
  private final NameIndex index;
  private final TypeResolver types;
  private final SymbolTable symbols;

  FunctionReader(DebugInfo info, NameIndex index, TypeResolver types, SymbolTable symbols) {
    this.info = info;
    this.index = index;
    this.types = types;
    this.symbols = symbols;
  }

  Function read(String name, long offset) {
    Die d = info.die(offset);
    if (d == null || d.tag() != Dw.TAG_subprogram) {
      throw new DwarfFormatException("DIE 0x" + Long.toHexString(offset) + " is not a subprogram");
    }
    Unit u = d.unit;
    List<Die> chain = originChain(d);
    String linkage = null;
    boolean inlined = false;
    Die returnTypeDie = null;
    for (Die c : chain) {
      if (linkage == null) linkage = c.string(Dw.AT_linkage_name);
      if (linkage == null) linkage = c.string(Dw.AT_MIPS_linkage_name);
      inlined |=
          index.inlined.contains(c.offset)
              || c.constant(Dw.AT_inline, 0) == 1
              || c.constant(Dw.AT_inline, 0) == 3;
      if (returnTypeDie == null && c.has(Dw.AT_type)) returnTypeDie = c;
    }
    List<Range> ranges = info.ranges(d);
    long entry = entry(d, ranges, linkage, name, u.language());
    List<Range> ordered = new ArrayList<>(ranges);
    for (int i = 0; i < ordered.size(); i++) {
      if (ordered.get(i).contains(entry)) {
        ordered.add(0, ordered.remove(i));
        break;
      }
    }
    List<Variable> params = parameters(chain, u.language());
    Type returnType = null;
    if (u.language() != Language.GO && returnTypeDie != null)
      returnType = types.resolve(returnTypeDie.ref(Dw.AT_type));
    return new Function(
        name,
        linkage,
        u.language(),
        u.producer,
        entry,
        List.copyOf(ordered),
        params,
        returnType,
        inlined,
        false,
        offset);
  }

  /** The DIE itself, then the DIEs it refers to through abstract_origin and specification. */
  private List<Die> originChain(Die d) {
    List<Die> chain = new ArrayList<>();
    chain.add(d);
    Die cur = d;
    for (int i = 0; i < MAX_CHAIN; i++) {
      long next = cur.ref(Dw.AT_abstract_origin);
      if (next < 0) next = cur.ref(Dw.AT_specification);
      if (next < 0) break;
      Die n = info.die(next);
      if (n == null || n.tag() != Dw.TAG_subprogram) break;
      chain.add(n);
      cur = n;
    }
    return chain;
  }

  /** Entry address: DW_AT_entry_pc, the ELF symbol of the function, low_pc, or the first range. */
  private long entry(Die d, List<Range> ranges, String linkage, String name, Language lang) {
    long e = d.address(Dw.AT_entry_pc);
    if (e > 0) return e;
    long low = d.address(Dw.AT_low_pc);
    if (low > 0 && d.has(Dw.AT_high_pc)) return low;
    String symName =
        linkage != null ? linkage : (lang == Language.C || lang == Language.GO ? name : null);
    if (symName != null && symbols != null) {
      ElfSymbol s = symbols.byName(symName);
      if (s != null) {
        for (Range r : ranges) if (r.contains(s.value())) return s.value();
      }
    }
    if (low > 0) return low;
    return ranges.isEmpty() ? 0 : ranges.get(0).low();
  }

  /**
   * Formal parameters. They come from the first DIE of the chain whose parameters all have names,
   * directly or through their own abstract_origin: a concrete out-of-line copy lists exactly the
   * parameters its code has (the abstract instance may omit unnamed ones, and a GCC clone has a
   * different list), a C++ declaration lists only types and its definition has the names. Go
   * results go last.
   */
  private List<Variable> parameters(List<Die> chain, Language lang) {
    List<Die> best = null;
    for (Die c : chain) {
      List<Die> ps = new ArrayList<>();
      for (Die child : info.children(c)) {
        if (child.tag() == Dw.TAG_formal_parameter) ps.add(child);
      }
      if (ps.isEmpty()) continue;
      if (best == null || best.size() < ps.size()) best = ps;
      if (ps.stream()
          .allMatch(
              p ->
                  p.has(Dw.AT_name)
                      || p.flag(Dw.AT_artificial)
                      || p.ref(Dw.AT_abstract_origin) >= 0)) {
        best = ps;
        break;
      }
    }
    List<Variable> args = new ArrayList<>();
    List<Variable> results = new ArrayList<>();
    if (best == null) return args;
    best = inDeclarationOrder(best, chain);
    Set<String> unnamedResults = new HashSet<>();
    for (Die p : best) {
      Variable v = variable(p);
      // Some Go compilers list an unnamed result twice (two "~r0" DIEs for one error result):
      // positions ~rN are unique, so a repeated one is the same result.
      if (v.result()
          && lang == Language.GO
          && v.name() != null
          && v.name().matches("~r\\d+")
          && !unnamedResults.add(v.name())) {
        continue;
      }
      (v.result() && lang == Language.GO ? results : args).add(v);
    }
    args.addAll(results);
    return List.copyOf(args);
  }

  /**
   * A concrete copy may list its parameters in another order than the source (GCC -O2 puts {@code
   * this} after the others): order them as their abstract_origin parameters are declared.
   */
  private List<Die> inDeclarationOrder(List<Die> params, List<Die> chain) {
    Map<Long, Integer> declared = new HashMap<>();
    for (Die c : chain) {
      int i = 0;
      for (Die child : info.children(c)) {
        if (child.tag() == Dw.TAG_formal_parameter) declared.putIfAbsent(child.offset, i++);
      }
    }
    for (Die p : params) {
      if (!declared.containsKey(p.ref(Dw.AT_abstract_origin))) return params;
    }
    List<Die> sorted = new ArrayList<>(params);
    sorted.sort(Comparator.comparingInt(p -> declared.get(p.ref(Dw.AT_abstract_origin))));
    return sorted;
  }

  private Variable variable(Die p) {
    String name = null;
    long typeOff = -1;
    boolean result = false;
    boolean artificial = false;
    Die cur = p;
    for (int i = 0; i < MAX_CHAIN && cur != null; i++) {
      if (name == null) name = cur.name();
      if (typeOff < 0) typeOff = cur.ref(Dw.AT_type);
      result |= cur.flag(Dw.AT_variable_parameter);
      artificial |= cur.flag(Dw.AT_artificial);
      long next = cur.ref(Dw.AT_abstract_origin);
      if (next < 0) break;
      cur = info.die(next);
    }
    Type t = typeOff < 0 ? new Type(Kind.UNKNOWN, "<no type>", -1) : types.resolve(typeOff);
    return new Variable(name, t, result, artificial);
  }
}
