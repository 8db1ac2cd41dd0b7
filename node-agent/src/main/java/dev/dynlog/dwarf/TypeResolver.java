package dev.dynlog.dwarf;

import dev.dynlog.types.Type;
import dev.dynlog.types.Type.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds {@link Type}s from type DIEs, lazily and cached by DIE offset. Resolution is iterative (a
 * work queue, no recursion over the type graph), so cyclic and very deep type graphs cannot
 * overflow the stack; every type reachable from the requested one is filled before it is returned.
 */
final class TypeResolver {
  private static final int MAX_CHAIN = 64;

  private final DebugInfo info;
  private final NameIndex index;
  private final Map<Long, Type> cache = new HashMap<>();
  private final ArrayDeque<Type> queue = new ArrayDeque<>();
  private final List<Type> filled = new ArrayList<>();

  /** Qualifier types and their keyword ("const", "volatile", ...). */
  private final Map<Type, String> qualifiers = new HashMap<>();

  /** Unnamed pointer and array types of Go units, named Go-style ("*T", "[2]T") once resolved. */
  private final Map<Type, Boolean> unnamedGo = new HashMap<>();

  TypeResolver(DebugInfo info, NameIndex index) {
    this.info = info;
    this.index = index;
  }

  /** The type at a DIE offset, fully resolved (with everything it reaches). */
  Type resolve(long offset) {
    Type t = shell(offset);
    drain();
    return t;
  }

  private Type shell(long offset) {
    Type t = cache.get(offset);
    if (t == null) {
      t = new Type(Kind.UNKNOWN, null, -1).dieOffset(offset);
      cache.put(offset, t);
      queue.add(t);
    }
    return t;
  }

  private void drain() {
    while (!queue.isEmpty()) {
      Type t = queue.poll();
      try {
        fill(t, info.die(t.dieOffset()));
      } catch (DwarfFormatException | IndexOutOfBoundsException e) {
        t.kind(Kind.UNKNOWN)
            .name(
                "<unreadable type at 0x"
                    + Long.toHexString(t.dieOffset())
                    + ": "
                    + e.getMessage()
                    + ">");
      }
      filled.add(t);
    }
    for (Type t : filled) finish(t);
    filled.clear();
  }

  private Type ref(Die d, int attr) {
    long off = d.ref(attr);
    return off < 0 ? null : shell(off);
  }

  private String qualifiedName(Die d) {
    String q = index.scopedTypeNames.get(d.offset);
    return q != null ? q : d.name();
  }

  private void fill(Type t, Die d) {
    if (d == null) {
      t.name("<null type DIE>");
      return;
    }
    long size = d.constant(Dw.AT_byte_size, -1);
    t.size(size);
    if (d.unit.languageCode == Dw.LANG_GO
        && !d.has(Dw.AT_name)
        && (d.tag() == Dw.TAG_pointer_type || d.tag() == Dw.TAG_array_type)) {
      unnamedGo.put(t, Boolean.TRUE);
    }
    int goKind = (int) d.constant(Dw.AT_go_kind, 0);
    switch (d.tag()) {
      case Dw.TAG_base_type -> {
        t.name(qualifiedName(d));
        t.kind(
            switch ((int) d.constant(Dw.AT_encoding, 0)) {
              case Dw.ATE_boolean -> Kind.BOOL;
              case Dw.ATE_signed, Dw.ATE_signed_char -> Kind.INT;
              case Dw.ATE_unsigned, Dw.ATE_unsigned_char, Dw.ATE_UTF, Dw.ATE_address -> Kind.UINT;
              case Dw.ATE_float -> Kind.FLOAT;
              case Dw.ATE_complex_float -> Kind.COMPLEX;
              default -> Kind.UNKNOWN;
            });
      }
      case Dw.TAG_pointer_type -> {
        t.kind(Kind.POINTER).name(d.name()).target(ref(d, Dw.AT_type));
        if (size < 0) t.size(d.unit.addressSize);
      }
      case Dw.TAG_reference_type, Dw.TAG_rvalue_reference_type -> {
        t.kind(d.tag() == Dw.TAG_reference_type ? Kind.REFERENCE : Kind.RVALUE_REFERENCE)
            .target(ref(d, Dw.AT_type));
        if (size < 0) t.size(d.unit.addressSize);
      }
      case Dw.TAG_const_type, Dw.TAG_volatile_type, Dw.TAG_restrict_type, Dw.TAG_atomic_type -> {
        t.kind(Kind.QUALIFIER).target(ref(d, Dw.AT_type));
        qualifiers.put(
            t,
            switch (d.tag()) {
              case Dw.TAG_const_type -> "const";
              case Dw.TAG_volatile_type -> "volatile";
              case Dw.TAG_restrict_type -> "restrict";
              default -> "_Atomic";
            });
      }
      case Dw.TAG_typedef -> {
        t.name(qualifiedName(d)).target(ref(d, Dw.AT_type));
        t.kind(
            switch (goKind) {
              case Dw.GO_INTERFACE -> Kind.GO_INTERFACE;
              case Dw.GO_MAP -> Kind.GO_MAP;
              case Dw.GO_CHAN -> Kind.GO_CHAN;
              default -> Kind.TYPEDEF;
            });
      }
      case Dw.TAG_structure_type, Dw.TAG_class_type, Dw.TAG_union_type -> struct(t, d, goKind);
      case Dw.TAG_array_type -> array(t, d);
      case Dw.TAG_enumeration_type -> {
        t.kind(Kind.ENUM).name(qualifiedName(d)).target(ref(d, Dw.AT_type));
        boolean unsigned = unsignedEncoding(d.ref(Dw.AT_type));
        for (Die c : info.children(d)) {
          if (c.tag() != Dw.TAG_enumerator) continue;
          long v =
              unsigned ? c.constant(Dw.AT_const_value, 0) : c.signedConstant(Dw.AT_const_value, 0);
          t.addEnumerator(new Type.Enumerator(c.name(), v));
        }
      }
      case Dw.TAG_subroutine_type -> t.kind(Kind.FUNC).name(d.name()).target(ref(d, Dw.AT_type));
      case Dw.TAG_unspecified_type -> {
        String n = d.name();
        t.kind("void".equals(n) ? Kind.VOID : Kind.UNKNOWN).name(n);
        if (size < 0 && n != null && n.contains("nullptr")) t.size(d.unit.addressSize);
      }
      case Dw.TAG_ptr_to_member_type -> {
        t.kind(Kind.UNKNOWN).name(d.name());
        if (size < 0) t.size(d.unit.addressSize);
      }
      default -> t.kind(Kind.UNKNOWN).name(d.name());
    }
  }

  private void struct(Type t, Die d, int goKind) {
    if (d.ref(Dw.AT_signature) >= 0) {
      Die full = info.die(d.ref(Dw.AT_signature)); // the definition lives in a type unit
      if (full != null) d = full;
    }
    if (d.flag(Dw.AT_declaration)) {
      String q = qualifiedName(d);
      Long def = q == null ? null : index.types.get(q);
      if (def != null && def != d.offset) {
        Die full = info.die(def);
        if (full != null
            && (full.tag() == d.tag()
                || full.tag() == Dw.TAG_structure_type
                || full.tag() == Dw.TAG_class_type)) {
          d = full;
        }
      }
    }
    t.size(d.constant(Dw.AT_byte_size, -1));
    t.name(qualifiedName(d));
    t.declarationOnly(d.flag(Dw.AT_declaration));
    t.callingConvention((int) d.constant(Dw.AT_calling_convention, 0));
    t.kind(
        switch (goKind) {
          case Dw.GO_STRING -> Kind.GO_STRING;
          case Dw.GO_SLICE -> Kind.GO_SLICE;
          default -> d.tag() == Dw.TAG_union_type ? Kind.UNION : Kind.STRUCT;
        });
    if (goKind == Dw.GO_SLICE) t.target(ref(d, Dw.AT_go_elem));
    String simple = simpleName(d.name());
    for (Die c : info.children(d)) {
      if (c.tag() == Dw.TAG_member || c.tag() == Dw.TAG_inheritance) {
        member(t, c);
      } else if (c.tag() == Dw.TAG_subprogram
          && simple != null
          && userProvidedSpecialMember(c, simple, d)) {
        t.userProvidedCopyOrDestructor(true);
      }
    }
  }

  /**
   * A member function declaration that is a user-provided destructor, copy constructor or move
   * constructor of the class {@code cls} (simple name {@code simple}): declared in the source (not
   * artificial), neither defaulted in the class nor deleted. Such a member makes the class
   * non-trivial for the purpose of calls (Itanium C++ ABI), whether or not its code was inlined.
   */
  private boolean userProvidedSpecialMember(Die fn, String simple, Die cls) {
    if (fn.flag(Dw.AT_artificial) || fn.flag(Dw.AT_deleted)) return false;
    if (fn.constant(Dw.AT_defaulted, 0) == Dw.DEFAULTED_in_class) return false;
    String name = fn.name();
    if (name == null) return false;
    if (name.equals("~" + simple)) return true;
    if (!name.equals(simple)) return false;
    List<Die> params = new ArrayList<>();
    for (Die p : info.children(fn)) {
      if (p.tag() == Dw.TAG_formal_parameter && !p.flag(Dw.AT_artificial)) params.add(p);
    }
    if (params.size() != 1) return false;
    Die ref = info.die(params.get(0).ref(Dw.AT_type));
    if (ref == null
        || (ref.tag() != Dw.TAG_reference_type && ref.tag() != Dw.TAG_rvalue_reference_type)) {
      return false;
    }
    for (int i = 0; i < MAX_CHAIN; i++) {
      ref = info.die(ref.ref(Dw.AT_type));
      if (ref == null) return false;
      if (ref.offset == cls.offset || simple.equals(simpleName(ref.name()))) return true;
      if (ref.tag() != Dw.TAG_const_type && ref.tag() != Dw.TAG_volatile_type) return false;
    }
    return false;
  }

  /** {@code Tag} of a class name; {@code Box} of {@code Box<int>}; null for none. */
  private static String simpleName(String name) {
    if (name == null || name.isEmpty()) return null;
    int lt = name.indexOf('<');
    return lt > 0 ? name.substring(0, lt) : name;
  }

  private void member(Type parent, Die c) {
    if (c.flag(Dw.AT_declaration) || c.has(Dw.AT_const_value) && !c.has(Dw.AT_data_member_location))
      return; // static member
    Type mt = ref(c, Dw.AT_type);
    if (mt == null) mt = new Type(Kind.VOID, "void", 0);
    long offset = memberOffset(c);
    int bitSize = (int) c.constant(Dw.AT_bit_size, 0);
    int bitOffset = 0;
    if (bitSize > 0) {
      long dataBit = c.constant(Dw.AT_data_bit_offset, -1);
      if (dataBit >= 0) {
        offset = dataBit / 8;
        bitOffset = (int) (dataBit % 8);
      } else if (c.has(Dw.AT_bit_offset)) {
        // DWARF 2/3: bit_offset counts from the most significant bit of the storage unit.
        long storage = c.constant(Dw.AT_byte_size, -1);
        if (storage < 0) storage = storageSize(c.ref(Dw.AT_type));
        long bits =
            (offset < 0 ? 0 : offset) * 8 + storage * 8 - c.constant(Dw.AT_bit_offset, 0) - bitSize;
        offset = bits / 8;
        bitOffset = (int) (bits % 8);
      }
    }
    String name = c.name();
    boolean artificial = c.flag(Dw.AT_artificial);
    if (c.tag() == Dw.TAG_inheritance) {
      artificial = true;
      name = mt.name() != null ? mt.name() : "<base>";
    }
    parent.addMember(new Type.Member(name, offset, mt, bitSize, bitOffset, artificial));
  }

  /**
   * DW_AT_data_member_location as a constant or a simple expression; 0 when absent (unions), -1
   * when not computable.
   */
  private static long memberOffset(Die c) {
    int form = c.form(Dw.AT_data_member_location);
    if (form < 0) return 0;
    byte[] expr = c.block(Dw.AT_data_member_location);
    if (expr == null) return c.constant(Dw.AT_data_member_location, -1);
    // DW_OP_plus_uconst N, or DW_OP_constu N [DW_OP_plus]
    if (expr.length >= 2 && ((expr[0] & 0xff) == 0x23 || (expr[0] & 0xff) == 0x10)) {
      long v = 0;
      int shift = 0;
      for (int i = 1; i < expr.length && shift < 64; i++) {
        v |= (long) (expr[i] & 0x7f) << shift;
        shift += 7;
        if ((expr[i] & 0x80) == 0) return v;
      }
    }
    return -1;
  }

  /**
   * True when a type DIE is (a typedef of) an unsigned base type: enumerator data forms are then
   * zero-extended.
   */
  private boolean unsignedEncoding(long off) {
    for (int i = 0; i < MAX_CHAIN && off >= 0; i++) {
      Die d = info.die(off);
      if (d == null) return false;
      if (d.tag() == Dw.TAG_base_type) {
        int enc = (int) d.constant(Dw.AT_encoding, 0);
        return enc == Dw.ATE_unsigned
            || enc == Dw.ATE_unsigned_char
            || enc == Dw.ATE_boolean
            || enc == Dw.ATE_UTF;
      }
      off = d.ref(Dw.AT_type);
    }
    return false;
  }

  /** Byte size of a type DIE, looking through typedefs and qualifiers, without building Types. */
  private long storageSize(long off) {
    for (int i = 0; i < MAX_CHAIN && off >= 0; i++) {
      Die d = info.die(off);
      if (d == null) return 0;
      long s = d.constant(Dw.AT_byte_size, -1);
      if (s >= 0) return s;
      off = d.ref(Dw.AT_type);
    }
    return 0;
  }

  private void array(Type t, Die d) {
    Type elem = ref(d, Dw.AT_type);
    List<Long> counts = new ArrayList<>();
    for (Die c : info.children(d)) {
      if (c.tag() != Dw.TAG_subrange_type) continue;
      long count = c.constant(Dw.AT_count, -1);
      if (count < 0 && c.has(Dw.AT_upper_bound)) {
        long upper = c.signedConstant(Dw.AT_upper_bound, -2);
        long lower = c.constant(Dw.AT_lower_bound, 0);
        if (upper >= -1 && c.block(Dw.AT_upper_bound) == null && c.ref(Dw.AT_upper_bound) < 0)
          count = upper - lower + 1;
      }
      counts.add(count);
    }
    if (counts.isEmpty()) counts.add(-1L);
    Type inner = elem;
    for (int i = counts.size() - 1; i >= 1; i--) {
      Type dim = new Type(Kind.ARRAY, null, -1).count(counts.get(i)).target(inner);
      filled.add(dim);
      inner = dim;
    }
    t.kind(Kind.ARRAY).name(d.name()).count(counts.get(0)).target(inner);
  }

  /**
   * Fills in what depends on other types: sizes of arrays/typedefs, qualifier names, Go wrappers'
   * members.
   */
  private void finish(Type t) {
    size(t, 0);
    if (t.kind() == Kind.QUALIFIER && t.name() == null) qualifierName(t, 0);
    if (unnamedGo.containsKey(t)) goName(t, 0);
    if ((t.kind() == Kind.GO_INTERFACE || t.kind() == Kind.GO_CHAN || t.kind() == Kind.GO_MAP)
        && t.members().isEmpty()) {
      Type under = t.target() == null ? null : t.target().stripped();
      if (under != null && under.kind() == Kind.STRUCT) under.members().forEach(t::addMember);
    }
  }

  /**
   * Size of a type, following typedef/qualifier chains iteratively (any length; cycles end with an
   * unknown size) and computing array sizes from their elements.
   */
  private long size(Type t, int depth) {
    if (t == null) return 0;
    if (t.size() >= 0 || depth > MAX_CHAIN) return t.size();
    List<Type> path = new ArrayList<>();
    Set<Type> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Type cur = t;
    while (cur != null && cur.size() < 0 && seen.add(cur) && isAlias(cur.kind())) {
      path.add(cur);
      cur = cur.target();
    }
    long s;
    if (cur == null || seen.contains(cur) && isAlias(cur.kind())) {
      s = -1;
    } else if (cur.size() >= 0) {
      s = cur.size();
    } else if (cur.kind() == Kind.ARRAY) {
      long e = size(cur.target(), depth + 1);
      long n = cur.count();
      s = n == 0 ? 0 : e < 0 || n < 0 || Math.multiplyHigh(e, n) != 0 || e * n < 0 ? -1 : e * n;
      cur.size(s);
    } else {
      s = cur.kind() == Kind.VOID ? 0 : -1;
    }
    for (Type p : path) p.size(s);
    return s;
  }

  private static boolean isAlias(Kind k) {
    return k == Kind.TYPEDEF
        || k == Kind.QUALIFIER
        || k == Kind.ENUM
        || k == Kind.GO_INTERFACE
        || k == Kind.GO_MAP
        || k == Kind.GO_CHAN;
  }

  /**
   * Names the qualifiers reachable through unnamed pointers, references and arrays, innermost
   * first.
   */
  private void nameNestedQualifiers(Type t, int depth) {
    for (int i = depth; t != null && i < 16 && t.name() == null; i++) {
      if (t.kind() == Kind.QUALIFIER) {
        qualifierName(t, i);
        return;
      }
      if (t.kind() != Kind.POINTER
          && t.kind() != Kind.REFERENCE
          && t.kind() != Kind.RVALUE_REFERENCE
          && t.kind() != Kind.ARRAY) return;
      t = t.target();
    }
  }

  /** Go spelling of an unnamed pointer or array type: {@code *T}, {@code [N]T}. */
  private String goName(Type t, int depth) {
    if (t == null) return "unsafe.Pointer";
    if (t.name() != null) return t.name();
    if (depth > 8 || !unnamedGo.containsKey(t)) return t.displayName();
    String inner = goName(t.target(), depth + 1);
    String n =
        t.kind() == Kind.POINTER
            ? "*" + inner
            : "[" + (t.count() < 0 ? "" : t.count()) + "]" + inner;
    t.name(n);
    unnamedGo.remove(t);
    return n;
  }

  private String qualifierName(Type t, int depth) {
    if (t.name() != null) return t.name();
    String word = qualifiers.getOrDefault(t, "const");
    Type target = t.target();
    nameNestedQualifiers(target, depth + 1);
    String inner = target == null ? "void" : target.displayName();
    boolean pointerLike =
        target != null
            && (target.kind() == Kind.POINTER
                || target.kind() == Kind.REFERENCE
                || target.kind() == Kind.RVALUE_REFERENCE)
            && target.name() == null;
    String n = pointerLike ? inner + " " + word : word + " " + inner;
    t.name(n);
    return n;
  }
}
