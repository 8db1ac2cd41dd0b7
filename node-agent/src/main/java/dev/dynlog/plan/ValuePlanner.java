package dev.dynlog.plan;

import dev.dynlog.abi.CallLayout;
import dev.dynlog.abi.Location;
import dev.dynlog.abi.Slot;
import dev.dynlog.abi.TypeLayout;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.Language;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.symbols.Variable;
import dev.dynlog.types.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns one capture expression of one function into a {@link ValuePlan}: resolves names against the
 * function's parameters and results, walks fields, indexes and dereferences symbolically from the
 * calling convention's locations, then expands the resulting value into primitive reads and a
 * decoder, within the {@link PlanOptions} caps.
 */
final class ValuePlanner {

  private static final Type INT = new Type(Type.Kind.INT, "int", 8);
  private static final Type SIZE_T = new Type(Type.Kind.UINT, "size_t", 8);
  private static final Type BYTE = new Type(Type.Kind.UINT, "uint8", 1);

  private final Function function;
  private final CallLayout layout;
  private final PlanOptions options;

  ValuePlanner(Function function, CallLayout layout, PlanOptions options) {
    this.function = function;
    this.layout = layout;
    this.options = options;
  }

  /** Reads still available at one probe site, shared by the values read there. */
  static final class Budget {
    private int remaining;

    Budget(int reads) {
      this.remaining = reads;
    }

    int remaining() {
      return remaining;
    }
  }

  /** A symbolic value: where it is, its type, its source text for messages, and its bit-field member if any. */
  private record Sym(Place place, Type type, String path, Type.Member bitField) {
    Sym(Place place, Type type, String path) {
      this(place, type, path, null);
    }

    Sym withBitField(Type.Member m) {
      return m.isBitField() ? new Sym(place, type, path, m) : this;
    }
  }

  /** The state of expanding one value into reads. */
  private final class Expansion {
    final List<Read> reads = new ArrayList<>();
    final Budget budget;
    int limit;
    boolean starved;

    Expansion(Budget budget) {
      this.budget = budget;
      this.limit = Math.min(options.maxReadsPerValue(), budget.remaining);
    }

    /** Adds a read, or returns -1 when the read budget is spent. */
    int add(Read r) {
      if (reads.size() >= limit) {
        starved = true;
        return -1;
      }
      reads.add(r);
      return reads.size() - 1;
    }
  }

  /** True when the capture reads a result, so it is read at return rather than at entry. */
  boolean readsAtReturn(Capture capture) throws ResolveException {
    return refersToResult(Expression.parse(capture.expression()));
  }

  ValuePlan plan(Capture capture, Budget budget) throws ResolveException {
    Expression expr = Expression.parse(capture.expression());
    boolean atReturn = refersToResult(expr);
    Sym sym = eval(expr);
    Expansion x = new Expansion(budget);
    Decoder decoder = decode(sym, 0, x);
    if (x.starved && x.reads.isEmpty()) {
      throw new ResolveException("capture `" + capture.name() + "` of " + function.name()
          + ": no reads left at this probe (at most " + options.maxReadsPerProbe()
          + " reads per probe; earlier captures use them)");
    }
    budget.remaining -= x.reads.size();
    String location = describe(sym);
    return new ValuePlan(capture.name(), capture.expression(), sym.type().displayName(), atReturn, location,
        x.reads, decoder);
  }

  // ---------------------------------------------------------------- names

  private boolean refersToResult(Expression e) throws ResolveException {
    Expression root = root(e);
    if (root instanceof Expression.Result) return true;
    String name = ((Expression.Name) root).name();
    return findArgument(name) < 0 && findResult(name) >= 0;
  }

  private static Expression root(Expression e) {
    while (true) {
      if (e instanceof Expression.Field f) e = f.base();
      else if (e instanceof Expression.Index i) e = i.base();
      else if (e instanceof Expression.Deref d) e = d.base();
      else if (e instanceof Expression.Len l) e = l.base();
      else if (e instanceof Expression.Cap c) e = c.base();
      else return e;
    }
  }

  private int findArgument(String name) {
    List<Variable> args = function.arguments();
    for (int i = 0; i < args.size(); i++) if (name.equals(args.get(i).name())) return i;
    return -1;
  }

  private int findResult(String name) {
    List<Variable> results = function.results();
    for (int i = 0; i < results.size(); i++) if (name.equals(results.get(i).name())) return i;
    return -1;
  }

  private Sym rootSym(Expression e) throws ResolveException {
    if (e instanceof Expression.Result r) {
      int n = layout.results().size();
      if (r.index() >= n) {
        throw new ResolveException("no result `$" + r.index() + "` in " + function.name() + ": "
            + (n == 0 ? "it returns nothing" : n == 1 ? "it has one result, `$0`" : "results are $0..$" + (n - 1)));
      }
      Type type = function.language() == Language.GO ? function.results().get(r.index()).type() : function.returnType();
      return new Sym(place(layout.results().get(r.index()), "$" + r.index()), type, "$" + r.index());
    }
    String name = ((Expression.Name) e).name();
    int arg = findArgument(name);
    if (arg >= 0) {
      Variable v = function.arguments().get(arg);
      return new Sym(place(layout.arguments().get(arg), name), v.type(), name);
    }
    int res = findResult(name);
    if (res >= 0) {
      Variable v = function.results().get(res);
      return new Sym(place(layout.results().get(res), name), v.type(), name);
    }
    throw new ResolveException("unknown parameter `" + name + "` of " + function.name() + "; " + namesForMessage());
  }

  private String namesForMessage() {
    List<Variable> args = function.arguments();
    String params = args.isEmpty() ? "it has no parameters"
        : "parameters are " + args.stream().map(v -> String.valueOf(v.name())).collect(Collectors.joining(", "));
    int n = layout.results().size();
    if (n == 0) return params;
    if (function.language() != Language.GO) return params + "; the return value is $0";
    StringBuilder sb = new StringBuilder(params).append("; results are ");
    List<Variable> results = function.results();
    for (int i = 0; i < results.size(); i++) {
      if (i > 0) sb.append(", ");
      sb.append('$').append(i);
      String rn = results.get(i).name();
      if (rn != null && !rn.startsWith("~")) sb.append(" (").append(rn).append(')');
    }
    return sb.toString();
  }

  private static Place place(Location loc, String name) throws ResolveException {
    if (loc.unavailable() != null) {
      throw new ResolveException("`" + name + "` cannot be captured: " + loc.unavailable());
    }
    if (loc.indirect()) {
      Slot p = loc.slots().get(0);
      return new Place.Memory(List.of(p.toPiece(0)), List.of(), 0);
    }
    return new Place.Direct(loc.slots(), 0);
  }

  // ---------------------------------------------------------------- expressions

  private Sym eval(Expression e) throws ResolveException {
    if (e instanceof Expression.Name || e instanceof Expression.Result) return rootSym(e);
    if (e instanceof Expression.Field f) return field(eval(f.base()), f.field());
    if (e instanceof Expression.Deref d) {
      Sym base = eval(d.base());
      Type t = TypeLayout.stripped(base.type());
      if (!isPointer(t)) {
        throw new ResolveException("cannot dereference `" + base.path() + "` of type `" + base.type().displayName()
            + "`: not a pointer");
      }
      return deref(base, "*" + base.path());
    }
    if (e instanceof Expression.Index i) return index(eval(i.base()), i.index());
    if (e instanceof Expression.Len l) {
      Sym base = referent(eval(l.base()));
      Type t = TypeLayout.stripped(base.type());
      String path = "len(" + base.path() + ")";
      if (t.kind() == Type.Kind.GO_STRING || t.kind() == Type.Kind.GO_SLICE) {
        return new Sym(base.place().plus(8), INT, path);
      }
      if (isStdString(base.type())) return new Sym(base.place().plus(8), SIZE_T, path);
      throw new ResolveException("len(" + base.path() + "): `" + base.type().displayName()
          + "` is not a string or slice" + (t.kind() == Type.Kind.ARRAY ? " (an array's length is the constant " + t.count() + ")" : ""));
    }
    Expression.Cap c = (Expression.Cap) e;
    Sym base = referent(eval(c.base()));
    if (TypeLayout.stripped(base.type()).kind() != Type.Kind.GO_SLICE) {
      throw new ResolveException("cap(" + base.path() + "): `" + base.type().displayName() + "` is not a slice");
    }
    return new Sym(base.place().plus(16), INT, "cap(" + base.path() + ")");
  }

  private Sym field(Sym base, String name) throws ResolveException {
    Sym s = base;
    Type t = TypeLayout.stripped(s.type());
    if (isPointer(t) || isReference(t)) {
      s = deref(s, s.path());
      t = TypeLayout.stripped(s.type());
    }
    if (t.kind() == Type.Kind.REFERENCE || t.kind() == Type.Kind.RVALUE_REFERENCE) {
      s = deref(s, s.path());
      t = TypeLayout.stripped(s.type());
    }
    String path = base.path() + "." + name;
    MemberPath m = MemberPath.find(t, name);
    if (m == null) {
      if (t.members().isEmpty() && t.kind() != Type.Kind.STRUCT && t.kind() != Type.Kind.UNION) {
        throw new ResolveException("`" + base.path() + "` of type `" + base.type().displayName()
            + "` has no fields (cannot take `." + name + "`)");
      }
      throw new ResolveException("no field `" + name + "` in `" + typeName(t, base.type()) + "`; fields are "
          + MemberPath.names(t));
    }
    return new Sym(s.place().plus(m.offset()), m.member().type(), path)
        .withBitField(m.member());
  }

  private Sym index(Sym base, long i) throws ResolveException {
    Sym s = referent(base);
    Type t = TypeLayout.stripped(s.type());
    String path = base.path() + "[" + i + "]";
    if (t.kind() == Type.Kind.POINTER && t.target() != null
        && TypeLayout.stripped(t.target()).kind() == Type.Kind.ARRAY && function.language() == Language.GO) {
      s = deref(s, s.path());
      t = TypeLayout.stripped(s.type());
    }
    switch (t.kind()) {
      case ARRAY -> {
        if (t.count() >= 0 && i >= t.count()) {
          throw new ResolveException("index " + i + " out of range for `" + base.path() + "` of type `"
              + base.type().displayName() + "` (length " + t.count() + ")");
        }
        return new Sym(s.place().plus(i * TypeLayout.size(t.target())), t.target(), path);
      }
      case GO_SLICE, POINTER -> {
        Type elem = t.target();
        if (elem == null || TypeLayout.stripped(elem).kind() == Type.Kind.VOID) {
          throw new ResolveException("cannot index `" + base.path() + "` of type `" + base.type().displayName()
              + "`: unknown element type");
        }
        Sym data = deref(new Sym(s.place(), new Type(Type.Kind.POINTER, null, 8).target(elem), s.path()), path);
        return new Sym(data.place().plus(i * TypeLayout.size(elem)), elem, path);
      }
      case GO_STRING -> {
        Sym data = deref(new Sym(s.place(), new Type(Type.Kind.POINTER, null, 8).target(BYTE), s.path()), path);
        return new Sym(data.place().plus(i), BYTE, path);
      }
      default -> throw new ResolveException("cannot index `" + base.path() + "` of type `"
          + base.type().displayName() + "`: not an array, slice, string or pointer");
    }
  }

  /** Follows C++ references, which are transparent in expressions. */
  private Sym referent(Sym s) throws ResolveException {
    Type t = TypeLayout.stripped(s.type());
    return isReference(t) ? deref(s, s.path()) : s;
  }

  private Sym deref(Sym s, String path) throws ResolveException {
    Type t = TypeLayout.stripped(s.type());
    Type target = t.target();
    if (target == null || TypeLayout.stripped(target).kind() == Type.Kind.VOID) {
      throw new ResolveException("cannot dereference `" + s.path() + "` of type `" + s.type().displayName()
          + "`: it points to void");
    }
    Place.Memory next;
    if (s.place() instanceof Place.Memory m) {
      if (m.derefs().size() >= PlanOptions.LIMIT_DEREFS) {
        throw new ResolveException("`" + path + "` needs more than " + PlanOptions.LIMIT_DEREFS
            + " pointer dereferences; the probe follows at most " + PlanOptions.LIMIT_DEREFS);
      }
      next = m.deref();
    } else {
      Place.Direct d = (Place.Direct) s.place();
      DirectBytes bytes = directBytes(d, 8, s.path(), s.type());
      if (bytes.unavailable != null) throw new ResolveException(bytes.unavailable);
      if (bytes.finalOffset != 0) {
        throw new ResolveException("`" + s.path() + "` is not pointer-aligned in its registers; cannot dereference it");
      }
      next = new Place.Memory(bytes.pieces, List.of(), 0);
    }
    return new Sym(next, target, path);
  }

  // ---------------------------------------------------------------- expansion

  private Decoder decode(Sym s, int depth, Expansion x) throws ResolveException {
    try {
      return expand(s, depth, x);
    } catch (Unreadable u) {
      return new Decoder.Unavailable(u.getMessage());
    }
  }

  private Decoder expand(Sym s, int depth, Expansion x) throws ResolveException {
    if (s.bitField() != null) {
      return new Decoder.Unavailable("`" + s.path() + "` is a bit-field (" + s.bitField().bitSize()
          + " bits); bit-fields are not supported");
    }
    Type declared = s.type();
    Type t = TypeLayout.stripped(declared);
    long size = TypeLayout.size(t);
    switch (t.kind()) {
      case BOOL -> {
        int r = scalar(s, 1, x);
        return r < 0 ? starved(x) : new Decoder.Bool(r);
      }
      case INT, UINT -> {
        if (size < 1 || size > 16) return new Decoder.Unavailable("`" + s.path() + "`: unsupported integer width " + size);
        int r = scalar(s, (int) size, x);
        if (r < 0) return starved(x);
        return t.kind() == Type.Kind.INT ? new Decoder.SignedInt(r, (int) size) : new Decoder.UnsignedInt(r, (int) size);
      }
      case ENUM -> {
        int r = scalar(s, (int) size, x);
        if (r < 0) return starved(x);
        boolean signed = t.target() == null || TypeLayout.stripped(t.target()).kind() != Type.Kind.UINT;
        List<String> names = new ArrayList<>();
        List<Long> values = new ArrayList<>();
        for (Type.Enumerator en : t.enumerators()) {
          names.add(en.name());
          values.add(en.value());
        }
        return new Decoder.Enum(r, (int) size, signed, names, values);
      }
      case FLOAT -> {
        if (size != 4 && size != 8) {
          return new Decoder.Unavailable("`" + s.path() + "`: " + size + "-byte floats are not decoded");
        }
        int r = scalar(s, (int) size, x);
        return r < 0 ? starved(x) : new Decoder.Float(r, (int) size);
      }
      case COMPLEX -> {
        int half = (int) (size / 2);
        if (half != 4 && half != 8) return new Decoder.Unavailable("`" + s.path() + "`: complex of " + size + " bytes is not decoded");
        Type part = new Type(Type.Kind.FLOAT, half == 4 ? "float32" : "float64", half);
        Decoder re = decode(new Sym(s.place(), part, "real(" + s.path() + ")"), depth, x);
        Decoder im = decode(new Sym(s.place().plus(half), part, "imag(" + s.path() + ")"), depth, x);
        return new Decoder.Struct(List.of("real", "imag"), List.of(re, im));
      }
      case POINTER -> {
        if (isCString(t)) {
          int r = read(s, 8, Read.Kind.C_STRING, options.stringCap(), x);
          return r < 0 ? starved(x) : new Decoder.Text(r);
        }
        int r = scalar(s, 8, x);
        return r < 0 ? starved(x) : new Decoder.Pointer(r);
      }
      case GO_MAP, GO_CHAN, FUNC -> {
        int r = scalar(s, 8, x);
        return r < 0 ? starved(x) : new Decoder.Pointer(r);
      }
      case REFERENCE, RVALUE_REFERENCE -> {
        return decode(deref(s, s.path()), depth, x);
      }
      case GO_STRING -> {
        int r = read(s, 16, Read.Kind.GO_STRING, options.stringCap(), x);
        return r < 0 ? starved(x) : new Decoder.Text(r);
      }
      case GO_SLICE -> {
        Type elem = t.target() == null ? null : TypeLayout.stripped(t.target());
        if (elem != null && (elem.kind() == Type.Kind.UINT || elem.kind() == Type.Kind.INT) && elem.size() == 1) {
          int r = read(s, 24, Read.Kind.GO_SLICE, options.stringCap(), x);
          return r < 0 ? starved(x) : new Decoder.Text(r);
        }
        Decoder len = decode(new Sym(s.place().plus(8), INT, "len(" + s.path() + ")"), depth, x);
        Decoder cap = decode(new Sym(s.place().plus(16), INT, "cap(" + s.path() + ")"), depth, x);
        return new Decoder.Struct(List.of("len", "cap"), List.of(len, cap));
      }
      case GO_INTERFACE -> {
        int r = read(s, 16, Read.Kind.BYTES, 0, x);
        return r < 0 ? starved(x) : new Decoder.GoInterface(r);
      }
      case STRUCT -> {
        if (isStdString(declared)) {
          int r = read(s, 16, Read.Kind.STD_STRING, options.stringCap(), x);
          return r < 0 ? starved(x) : new Decoder.Text(r);
        }
        if (depth >= options.maxDepth() && size > 0) {
          return new Decoder.Elided(typeName(t, declared) + " deeper than " + options.maxDepth() + " levels");
        }
        List<String> names = new ArrayList<>();
        List<Decoder> fields = new ArrayList<>();
        expandMembers(s, t, depth, x, names, fields, 0);
        return new Decoder.Struct(names, fields);
      }
      case ARRAY -> {
        Type elem = t.target();
        long n = t.count() < 0 ? 0 : t.count();
        List<Decoder> elements = new ArrayList<>();
        if (n == 0 || elem == null) return new Decoder.Array(elements);
        if (depth >= options.maxDepth() + 1) {
          return new Decoder.Elided(typeName(t, declared) + " deeper than " + options.maxDepth() + " levels");
        }
        long elemSize = TypeLayout.size(elem);
        for (long i = 0; i < n; i++) {
          if (i == options.maxElements()) {
            elements.add(new Decoder.Elided((n - i) + " more elements"));
            break;
          }
          elements.add(decode(new Sym(s.place().plus(i * elemSize), elem, s.path() + "[" + i + "]"), depth + 1, x));
        }
        return new Decoder.Array(elements);
      }
      case UNION -> {
        return new Decoder.Elided("union `" + typeName(t, declared) + "` is not decoded; capture one of its members");
      }
      case VOID -> {
        return new Decoder.Unavailable("`" + s.path() + "` has type void");
      }
      default -> {
        return new Decoder.Unavailable("`" + s.path() + "` has a type the debug information does not describe ("
            + declared.displayName() + ")");
      }
    }
  }

  /**
   * Adds the decoders of a struct's named fields; base classes (and anonymous members) are flattened
   * into their derived struct, vtable pointers and padding names skipped, the field cap applied.
   */
  private void expandMembers(Sym s, Type t, int depth, Expansion x, List<String> names, List<Decoder> fields, int nesting)
      throws ResolveException {
    for (Type.Member m : t.members()) {
      if (names.size() > options.maxFields()) return;
      Type mt = TypeLayout.stripped(m.type());
      boolean aggregate = mt.kind() == Type.Kind.STRUCT || mt.kind() == Type.Kind.UNION;
      boolean unnamed = m.name() == null || m.name().isEmpty();
      if (aggregate && (unnamed || m.artificial()) && mt.kind() == Type.Kind.STRUCT && nesting < MAX_FLATTEN) {
        expandMembers(new Sym(s.place().plus(m.offset()), m.type(), s.path()), mt, depth, x, names, fields, nesting + 1);
        continue;
      }
      if (m.artificial() || unnamed || m.name().equals("_")) continue;
      if (names.size() == options.maxFields()) {
        names.add("…");
        fields.add(new Decoder.Elided("more fields than the cap of " + options.maxFields()));
        return;
      }
      names.add(m.name());
      Sym f = new Sym(s.place().plus(m.offset()), m.type(), s.path() + "." + m.name()).withBitField(m);
      fields.add(decode(f, depth + 1, x));
    }
  }

  private static final int MAX_FLATTEN = 8;

  private Decoder starved(Expansion x) {
    return new Decoder.Elided("read limit: at most " + Math.min(options.maxReadsPerValue(), options.maxReadsPerProbe())
        + " reads per value and " + options.maxReadsPerProbe() + " per probe");
  }

  private int scalar(Sym s, int size, Expansion x) throws ResolveException {
    return read(s, size, Read.Kind.BYTES, 0, x);
  }

  /**
   * Adds the read of {@code size} bytes of {@code s}; returns its index, -1 when out of reads, or throws
   * an {@link Unreadable} carrying the reason when the bytes are in XMM registers.
   */
  private int read(Sym s, int size, Read.Kind kind, int cap, Expansion x) throws ResolveException {
    Read r;
    if (s.place() instanceof Place.Memory m) {
      r = new Read(m.root(), true, m.derefs(), m.offset(), size, kind, cap);
    } else {
      DirectBytes b = directBytes((Place.Direct) s.place(), size, s.path(), s.type());
      if (b.unavailable != null) throw new Unreadable(b.unavailable);
      r = new Read(b.pieces, false, List.of(), b.finalOffset, size, kind, cap);
    }
    return x.add(r);
  }

  /** Thrown inside expansion when a leaf is in an XMM register; becomes a {@link Decoder.Unavailable}. */
  private static final class Unreadable extends ResolveException {
    Unreadable(String message) {
      super(message);
    }
  }

  private record DirectBytes(List<Piece> pieces, long finalOffset, String unavailable) {}

  /** The pieces holding bytes [offset, offset + size) of a register/stack value. */
  private DirectBytes directBytes(Place.Direct d, long size, String path, Type type) throws ResolveException {
    List<Slot> covering = d.covering(size);
    for (Slot s : covering) {
      if (!s.readable()) {
        String where = function.language() == Language.GO ? "X" + s.xmm() : "XMM" + s.xmm();
        return new DirectBytes(List.of(), 0, type.displayName() + " `" + path + "` is passed in " + where
            + "; uprobes cannot read XMM registers");
      }
    }
    long covered = d.offset();
    List<Slot> narrowed = new ArrayList<>();
    for (Slot s : covering) {
      if (s.valueOffset() > covered) break;
      Slot n = s.narrowed(d.offset(), d.offset() + size);
      if (n.kind() == Slot.Kind.STACK) {
        for (long at = n.valueOffset(); at < n.valueEnd(); at += 8) {
          narrowed.add(Slot.stack(n.stackOffset() + (at - n.valueOffset()), (int) Math.min(8, n.valueEnd() - at), at));
        }
      } else {
        narrowed.add(n);
      }
      covered = Math.max(covered, s.valueEnd());
    }
    if (covered < d.offset() + size || narrowed.isEmpty()) {
      throw new ResolveException("`" + path + "`: bytes " + d.offset() + ".." + (d.offset() + size)
          + " are not held by its registers or stack slots");
    }
    if (narrowed.size() > PlanOptions.LIMIT_PIECES_PER_READ) {
      throw new ResolveException("`" + path + "` spans " + narrowed.size() + " register/stack pieces; a probe read"
          + " assembles at most " + PlanOptions.LIMIT_PIECES_PER_READ);
    }
    long base = narrowed.get(0).valueOffset();
    List<Piece> pieces = new ArrayList<>();
    for (Slot s : narrowed) pieces.add(s.toPiece(base));
    return new DirectBytes(pieces, d.offset() - base, null);
  }

  // ---------------------------------------------------------------- helpers

  private static String describe(Sym s) {
    if (s.place() instanceof Place.Memory m) return m.describe();
    Place.Direct d = (Place.Direct) s.place();
    long size;
    try {
      size = Math.max(1, TypeLayout.size(s.type()));
    } catch (ResolveException e) {
      size = 1;
    }
    List<Slot> slots = d.covering(size);
    if (slots.isEmpty()) return "none (zero-sized)";
    List<String> parts = new ArrayList<>();
    for (Slot sl : slots) {
      Slot n = sl.narrowed(d.offset(), d.offset() + size);
      parts.add(n.kind() == Slot.Kind.STACK ? "[rsp+" + n.stackOffset() + "]" : n.toString());
    }
    return String.join(",", parts);
  }

  private static boolean isPointer(Type t) {
    return t.kind() == Type.Kind.POINTER;
  }

  private static boolean isReference(Type t) {
    return t.kind() == Type.Kind.REFERENCE || t.kind() == Type.Kind.RVALUE_REFERENCE;
  }

  /** {@code char *} (any qualifiers): a NUL-terminated C string. */
  private static boolean isCString(Type pointer) throws ResolveException {
    if (pointer.target() == null) return false;
    Type c = TypeLayout.stripped(pointer.target());
    return (c.kind() == Type.Kind.INT || c.kind() == Type.Kind.UINT) && c.size() == 1 && "char".equals(c.name());
  }

  /**
   * libstdc++'s C++11 {@code std::string} (32 bytes: {_M_dataplus._M_p @0, _M_string_length @8, ...}),
   * named with or without its inline namespace {@code __cxx11}. The copy-on-write string of the old
   * ABI (8 bytes) is not this layout and is not matched.
   */
  static boolean isStdString(Type declared) throws ResolveException {
    Type t = TypeLayout.stripped(declared);
    if (t.kind() != Type.Kind.STRUCT || t.name() == null || t.size() != 32) return false;
    String n = t.name().replace("std::__cxx11::", "std::");
    boolean named = n.startsWith("std::basic_string<char,") || n.equals("std::basic_string<char>") || n.equals("std::string");
    if (!named) return false;
    if (t.members().isEmpty()) return true;
    Type.Member len = t.member("_M_string_length");
    Type.Member data = t.member("_M_dataplus");
    return len != null && len.offset() == 8 && data != null && data.offset() == 0;
  }

  private static String typeName(Type stripped, Type declared) {
    return stripped.name() != null ? stripped.name() : declared.displayName();
  }
}
