package dev.dynlog.dwarf;

import dev.dynlog.symbols.Language;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link NameIndex} with one linear pass over every unit. Only the attributes needed for
 * naming are decoded, and only on subprogram, scope and type DIEs; all other attributes are skipped
 * by size (fixed-size runs in one step), so no DIE tree is built.
 */
final class IndexScanner {
  private final DebugInfo info;
  private final NameIndex index = new NameIndex();

  /** Unnamed subprograms with code: their offsets and the DIE they refer to. */
  private final List<long[]> pending = new ArrayList<>();

  /**
   * Type definitions outside their scope (DW_AT_specification → the declaration in its namespace).
   */
  private final List<long[]> pendingTypes = new ArrayList<>();

  /** Unnamed subprograms without code that refer to another DIE (abstract → declaration). */
  private final Map<Long, Long> abstractRefs = new HashMap<>();

  // Attributes of the DIE being scanned.
  private String name;
  private String linkage;
  private long ref;
  private boolean hasCode;
  private boolean declaration;
  private long inline;
  private boolean exportSymbols;
  private final Object[] scratch = new Object[1];

  private IndexScanner(DebugInfo info) {
    this.info = info;
  }

  static NameIndex build(DebugInfo info) {
    IndexScanner s = new IndexScanner(info);
    for (Unit u : info.allUnits()) {
      try {
        s.scan(u);
      } catch (DwarfFormatException | IndexOutOfBoundsException e) {
        s.index.skippedUnits.add(u + ": " + e.getMessage());
      }
    }
    s.resolvePending();
    return s.index;
  }

  /** The names of one unit only (functions whose names resolve within it). */
  static NameIndex buildUnit(DebugInfo info, Unit u) {
    IndexScanner s = new IndexScanner(info);
    try {
      s.scan(u);
    } catch (DwarfFormatException | IndexOutOfBoundsException e) {
      s.index.skippedUnits.add(u + ": " + e.getMessage());
    }
    s.resolvePending();
    return s.index;
  }

  private void scan(Unit u) {
    ByteReader r = u.inTypesSection ? info.types : info.info;
    long bit = u.inTypesSection ? DebugInfo.TYPES_BIT : 0;
    r.limit(r.size());
    r.seek(u.firstDie);
    r.limit(u.end);
    boolean cpp = u.language() == Language.CPP;
    boolean go = u.language() == Language.GO;
    String[] prefix = new String[32];
    prefix[0] = "";
    int depth = 0;
    while (r.hasRemaining()) {
      long off = r.pos() | bit;
      long code = r.uleb();
      if (code == 0) {
        if (depth > 0) depth--;
        continue;
      }
      Abbrev a = u.abbrevs.get(code);
      if (a == null)
        throw r.error(
            "unknown abbreviation code " + code + " at DIE 0x" + Long.toHexString(off & ~bit));
      String childPrefix = prefix[depth];
      switch (a.tag) {
        case Dw.TAG_subprogram -> {
          decode(r, u, a);
          subprogram(off, name == null ? null : prefix[depth] + name);
        }
        case Dw.TAG_namespace,
            Dw.TAG_class_type,
            Dw.TAG_structure_type,
            Dw.TAG_union_type,
            Dw.TAG_enumeration_type,
            Dw.TAG_typedef,
            Dw.TAG_base_type,
            Dw.TAG_pointer_type,
            Dw.TAG_array_type,
            Dw.TAG_subroutine_type,
            Dw.TAG_unspecified_type -> {
          decode(r, u, a);
          boolean scope =
              a.tag == Dw.TAG_namespace
                  || a.tag == Dw.TAG_class_type
                  || a.tag == Dw.TAG_structure_type
                  || a.tag == Dw.TAG_union_type;
          // named inline namespaces (std::__cxx11) do not qualify names; anonymous ones do, export
          // flag or not
          if (cpp && scope && !(exportSymbols && name != null)) {
            String n =
                name != null
                    ? name
                    : a.tag == Dw.TAG_namespace
                        ? "(anonymous namespace)"
                        : "(anonymous " + kindWord(a.tag) + ")";
            childPrefix = prefix[depth] + n + "::";
          }
          if (name != null && a.tag != Dw.TAG_namespace && (go || a.tag != Dw.TAG_pointer_type)) {
            if (ref >= 0) {
              pendingTypes.add(
                  new long[] {off, ref, declaration ? 1 : 0}); // named by its DW_AT_specification
            } else {
              String q = prefix[depth] + name;
              index.addType(q, off, declaration);
              if (!prefix[depth].isEmpty()) index.scopedTypeNames.put(off, q);
            }
          }
        }
        default -> DebugInfo.skipAttributes(r, u, a);
      }
      if (a.hasChildren) {
        depth++;
        if (depth >= DebugInfo.MAX_DEPTH)
          throw r.error("DIE nesting deeper than " + DebugInfo.MAX_DEPTH);
        if (depth == prefix.length) prefix = Arrays.copyOf(prefix, depth * 2);
        prefix[depth] = childPrefix;
      }
    }
  }

  private static String kindWord(int tag) {
    return switch (tag) {
      case Dw.TAG_class_type -> "class";
      case Dw.TAG_union_type -> "union";
      default -> "struct";
    };
  }

  /** Decodes the naming attributes of one DIE into the fields; skips the others. */
  private void decode(ByteReader r, Unit u, Abbrev a) {
    name = null;
    linkage = null;
    ref = -1;
    hasCode = false;
    declaration = false;
    inline = 0;
    exportSymbols = false;
    int[] sizes = a.sizes(u);
    for (int i = 0; i < a.attrs.length; i++) {
      int at = a.attrs[i];
      switch (at) {
        case Dw.AT_name,
            Dw.AT_specification,
            Dw.AT_abstract_origin,
            Dw.AT_low_pc,
            Dw.AT_ranges,
            Dw.AT_declaration,
            Dw.AT_inline,
            Dw.AT_export_symbols -> {
          int form = a.forms[i];
          if (form == Dw.FORM_indirect) form = (int) r.uleb();
          long v =
              form == Dw.FORM_implicit_const
                  ? a.implicitConst[i]
                  : DebugInfo.readValue(r, u, form, scratch, 0);
          switch (at) {
            case Dw.AT_name -> name = info.stringValue(u, form, v, scratch[0]);
            case Dw.AT_specification, Dw.AT_abstract_origin -> ref = info.reference(u, form, v);
            case Dw.AT_low_pc -> hasCode |= info.addressValue(u, form, v) > 0;
            case Dw.AT_ranges -> hasCode = true;
            case Dw.AT_declaration -> declaration = v != 0;
            case Dw.AT_export_symbols -> exportSymbols = v != 0;
            default -> inline = v;
          }
          scratch[0] = null;
        }
        default -> {
          if (sizes[i] >= 0) r.skip(sizes[i]);
          else DebugInfo.skipValue(r, u, a.forms[i]);
        }
      }
    }
  }

  private void subprogram(long off, String qualified) {
    if (hasCode && !declaration) {
      if (qualified != null) index.addFunction(qualified, off);
      else if (ref >= 0) pending.add(new long[] {off, ref});
      return;
    }
    if (qualified != null) index.abstractNames.put(off, qualified);
    else if (ref >= 0) abstractRefs.put(off, ref);
    if (inline == 1 || inline == 3) index.inlined.add(off);
  }

  /** Names unnamed concrete subprograms through their abstract origin / specification chain. */
  private void resolvePending() {
    for (long[] p : pendingTypes) {
      String q = index.scopedTypeNames.get(p[1]);
      if (q == null) continue;
      index.addType(q, p[0], p[2] != 0);
      index.scopedTypeNames.put(p[0], q);
    }
    for (long[] p : pending) {
      long target = p[1];
      for (int i = 0; i < 8 && target >= 0; i++) {
        String n = index.abstractNames.get(target);
        if (n != null) {
          index.addFunction(n, p[0]);
          break;
        }
        Long next = abstractRefs.get(target);
        target = next == null ? -1 : next;
      }
    }
    for (Map.Entry<Long, Long> e : abstractRefs.entrySet()) {
      long target = e.getValue();
      for (int i = 0; i < 8 && target >= 0; i++) {
        String n = index.abstractNames.get(target);
        if (n != null) {
          index.abstractNames.put(e.getKey(), n);
          break;
        }
        Long next = abstractRefs.get(target);
        target = next == null ? -1 : next;
      }
    }
  }
}
