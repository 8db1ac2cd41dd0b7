package dev.dynlog.plan;

import dev.dynlog.abi.CallLayout;
import dev.dynlog.abi.Location;
import dev.dynlog.abi.Slot;
import dev.dynlog.abi.TypeLayout;
import dev.dynlog.api.expr.CaptureExpr;
import dev.dynlog.api.expr.ExprParser;
import dev.dynlog.api.expr.ExprSyntaxException;
import dev.dynlog.api.v1alpha1.Capture;
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
 * calling convention's locations, then has a {@link ValueExpander} turn the value into primitive
 * reads and a decoder within the {@link PlanOptions} caps.
 *
 * <p>A constant index into a Go slice or string is checked when the row is decoded: the plan reads
 * the length word of the slice or string header in the same event as the element, and a {@link
 * Decoder.Indexed} gives the error "index 3 out of range (len 3)" instead of neighbouring memory.
 * An index into an array whose DWARF type has a bound is checked here, when planning; a pointer
 * (and a C array of unknown or zero length, a trailing variable-length member) has no length, so
 * its index is not checked.
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

  /**
   * A constant index to check against a length when the row is decoded.
   *
   * @param length where the length word (a Go {@code int}) of the indexed slice or string is
   * @param index the constant index
   * @param path the indexed value's source text, for messages
   */
  private record Bound(Place length, long index, String path) {}

  /** True when the capture reads a result, so it is read at return rather than at entry. */
  boolean readsAtReturn(Capture capture) throws ResolveException {
    return refersToResult(parse(capture));
  }

  /** The capture's expression, parsed by the one grammar the operator also checks. */
  static CaptureExpr parse(Capture capture) throws ResolveException {
    try {
      return ExprParser.parse(capture.getExpr());
    } catch (ExprSyntaxException e) {
      throw new ResolveException(
          "bad expression: " + e.getMessage() + " (capture `" + capture.getName() + "`)", e);
    }
  }

  ValuePlan plan(Capture capture, Budget budget) throws ResolveException {
    CaptureExpr expr = parse(capture);
    boolean atReturn = refersToResult(expr);
    List<Bound> bounds = new ArrayList<>();
    SymbolicValue sym = eval(expr, bounds);
    String rule = redactionRule(capture, expr);
    if (rule != null) {
      // resolved (so a wrong name is still an error) but planned as not read: no reads at all
      return new ValuePlan(
          capture.getName(),
          capture.getExpr(),
          sym.type().displayName(),
          atReturn,
          "not read (" + rule + ")",
          List.of(),
          new Decoder.Redacted(rule),
          List.of(new ValuePlan.Redacted(capture.getName(), rule)));
    }
    int limit = Math.min(options.maxReadsPerValue(), budget.remaining);
    ValueExpander x = new ValueExpander(options, limit);
    // the length words first: a value whose index cannot be checked is not captured at all
    int[] lengths = new int[bounds.size()];
    for (int k = 0; k < bounds.size(); k++) {
      Bound b = bounds.get(k);
      lengths[k] = x.length(b.length(), "len(" + b.path() + ")");
      if (lengths[k] < 0) {
        throw new ResolveException(
            "capture `"
                + capture.getName()
                + "` of "
                + function.name()
                + ": no read left for len("
                + b.path()
                + "), which the index "
                + b.index()
                + " is checked against ("
                + readLimits(limit, budget)
                + ")");
      }
    }
    Decoder decoder = x.decode(sym, 0);
    if (x.starved() && x.reads().size() == bounds.size()) {
      throw new ResolveException(
          "capture `"
              + capture.getName()
              + "` of "
              + function.name()
              + ": no reads left"
              + (bounds.isEmpty() ? "" : " for the element after its length checks")
              + " ("
              + readLimits(limit, budget)
              + ")");
    }
    for (int k = bounds.size() - 1; k >= 0; k--)
      decoder = new Decoder.Indexed(lengths[k], bounds.get(k).index(), decoder);
    budget.remaining -= x.reads().size();
    String location = sym.describe();
    List<ValuePlan.Redacted> redacted = new ArrayList<>();
    for (ValuePlan.Redacted r : x.redacted()) {
      // the expression's path (req.creds.token) in the capture's words (c.token), as rows show it
      String tail = r.path().startsWith(sym.path()) ? r.path().substring(sym.path().length()) : "";
      redacted.add(new ValuePlan.Redacted(capture.getName() + tail, r.rule()));
    }
    return new ValuePlan(
        capture.getName(),
        capture.getExpr(),
        sym.type().displayName(),
        atReturn,
        location,
        x.reads(),
        decoder,
        redacted);
  }

  /**
   * Why the whole capture is redacted, or null: a parameter or result, a field on the expression's
   * path, or the capture's own name matches the redaction list.
   */
  private String redactionRule(Capture capture, CaptureExpr expr) {
    List<NamedPart> parts = new ArrayList<>();
    CaptureExpr e = expr;
    while (true) {
      if (e instanceof CaptureExpr.Field f) {
        parts.add(0, new NamedPart("field", f.field()));
        e = f.base();
      } else if (e instanceof CaptureExpr.Index i) e = i.base();
      else if (e instanceof CaptureExpr.Deref d) e = d.base();
      else if (e instanceof CaptureExpr.Len l) e = l.base();
      else if (e instanceof CaptureExpr.Cap c) e = c.base();
      else break;
    }
    if (e instanceof CaptureExpr.Name n) {
      parts.add(0, new NamedPart(findArgument(n.name()) >= 0 ? "parameter" : "result", n.name()));
    } else if (e instanceof CaptureExpr.Result r && function.language() == Language.GO) {
      // $1 of a Go function whose second result is named: the name counts as if written
      List<Variable> results = function.results();
      String rn = r.index() < results.size() ? results.get(r.index()).name() : null;
      if (rn != null && !rn.startsWith("~")) parts.add(0, new NamedPart("result", rn));
    }
    parts.add(new NamedPart("capture name", capture.getName()));
    for (NamedPart p : parts) {
      String entry = options.redaction().match(p.name());
      if (entry != null) {
        return "redacted: "
            + p.kind()
            + " `"
            + p.name()
            + "` matches the redaction list ("
            + entry
            + ")";
      }
    }
    return null;
  }

  /** A name on a capture's way, and what it is ("parameter", "field", "capture name"). */
  private record NamedPart(String kind, String name) {}

  /** Why a value ran out of reads: the per-value cap, or what earlier captures left. */
  private String readLimits(int limit, Budget budget) {
    if (limit < budget.remaining) {
      return "at most " + options.maxReadsPerValue() + " reads per value";
    }
    return "at most "
        + options.maxReadsPerProbe()
        + " reads per probe"
        + (budget.remaining < options.maxReadsPerProbe() ? "; earlier captures use them" : "");
  }

  // ---------------------------------------------------------------- names

  private boolean refersToResult(CaptureExpr e) throws ResolveException {
    CaptureExpr root = root(e);
    if (root instanceof CaptureExpr.Result) return true;
    String name = ((CaptureExpr.Name) root).name();
    return findArgument(name) < 0 && findResult(name) >= 0;
  }

  private static CaptureExpr root(CaptureExpr e) {
    while (true) {
      if (e instanceof CaptureExpr.Field f) e = f.base();
      else if (e instanceof CaptureExpr.Index i) e = i.base();
      else if (e instanceof CaptureExpr.Deref d) e = d.base();
      else if (e instanceof CaptureExpr.Len l) e = l.base();
      else if (e instanceof CaptureExpr.Cap c) e = c.base();
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

  private SymbolicValue rootSym(CaptureExpr e) throws ResolveException {
    if (e instanceof CaptureExpr.Result r) {
      int n = layout.results().size();
      if (r.index() >= n) {
        throw new ResolveException(
            "no result `$"
                + r.index()
                + "` in "
                + function.name()
                + ": "
                + (n == 0
                    ? "it returns nothing"
                    : n == 1 ? "it has one result, `$0`" : "results are $0..$" + (n - 1)));
      }
      Type type =
          function.language() == Language.GO
              ? function.results().get(r.index()).type()
              : function.returnType();
      return new SymbolicValue(
          place(layout.results().get(r.index()), "$" + r.index()), type, "$" + r.index());
    }
    String name = ((CaptureExpr.Name) e).name();
    int arg = findArgument(name);
    if (arg >= 0) {
      Variable v = function.arguments().get(arg);
      return new SymbolicValue(place(layout.arguments().get(arg), name), v.type(), name);
    }
    int res = findResult(name);
    if (res >= 0) {
      Variable v = function.results().get(res);
      return new SymbolicValue(place(layout.results().get(res), name), v.type(), name);
    }
    throw new ResolveException(
        "unknown parameter `" + name + "` of " + function.name() + "; " + namesForMessage());
  }

  private String namesForMessage() {
    List<Variable> args = function.arguments();
    String params =
        args.isEmpty()
            ? "it has no parameters"
            : "parameters are "
                + args.stream()
                    .map(v -> String.valueOf(v.name()))
                    .collect(Collectors.joining(", "));
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

  /**
   * The value of {@code e}; every slice or string index on the way adds its {@link Bound} to {@code
   * bounds}, outermost (first evaluated) first.
   */
  private SymbolicValue eval(CaptureExpr e, List<Bound> bounds) throws ResolveException {
    if (e instanceof CaptureExpr.Name || e instanceof CaptureExpr.Result) return rootSym(e);
    if (e instanceof CaptureExpr.Field f) return field(eval(f.base(), bounds), f.field());
    if (e instanceof CaptureExpr.Deref d) {
      SymbolicValue base = eval(d.base(), bounds);
      Type t = TypeLayout.stripped(base.type());
      if (!TypeShapes.isPointer(t)) {
        throw new ResolveException(
            "cannot dereference `"
                + base.path()
                + "` of type `"
                + base.type().displayName()
                + "`: not a pointer");
      }
      return base.deref("*" + base.path());
    }
    if (e instanceof CaptureExpr.Index i) return index(eval(i.base(), bounds), i.index(), bounds);
    if (e instanceof CaptureExpr.Len l) {
      SymbolicValue base = eval(l.base(), bounds).referent();
      Type t = TypeLayout.stripped(base.type());
      String path = "len(" + base.path() + ")";
      if (t.kind() == Type.Kind.GO_STRING || t.kind() == Type.Kind.GO_SLICE) {
        return new SymbolicValue(base.place().plus(8), INT, path);
      }
      if (TypeShapes.isStdString(base.type()))
        return new SymbolicValue(base.place().plus(8), SIZE_T, path);
      throw new ResolveException(
          "len("
              + base.path()
              + "): `"
              + base.type().displayName()
              + "` is not a string or slice"
              + (t.kind() == Type.Kind.ARRAY
                  ? " (an array's length is the constant " + t.count() + ")"
                  : ""));
    }
    CaptureExpr.Cap c = (CaptureExpr.Cap) e;
    SymbolicValue base = eval(c.base(), bounds).referent();
    if (TypeLayout.stripped(base.type()).kind() != Type.Kind.GO_SLICE) {
      throw new ResolveException(
          "cap(" + base.path() + "): `" + base.type().displayName() + "` is not a slice");
    }
    return new SymbolicValue(base.place().plus(16), INT, "cap(" + base.path() + ")");
  }

  private SymbolicValue field(SymbolicValue base, String name) throws ResolveException {
    SymbolicValue s = base;
    Type t = TypeLayout.stripped(s.type());
    if (TypeShapes.isPointer(t) || TypeShapes.isReference(t)) {
      s = s.deref(s.path());
      t = TypeLayout.stripped(s.type());
    }
    if (t.kind() == Type.Kind.REFERENCE || t.kind() == Type.Kind.RVALUE_REFERENCE) {
      s = s.deref(s.path());
      t = TypeLayout.stripped(s.type());
    }
    String path = base.path() + "." + name;
    MemberPath m = MemberPath.find(t, name);
    if (m == null) {
      if (t.members().isEmpty() && t.kind() != Type.Kind.STRUCT && t.kind() != Type.Kind.UNION) {
        throw new ResolveException(
            "`"
                + base.path()
                + "` of type `"
                + base.type().displayName()
                + "` has no fields (cannot take `."
                + name
                + "`)");
      }
      throw new ResolveException(
          "no field `"
              + name
              + "` in `"
              + TypeShapes.name(t, base.type())
              + "`; fields are "
              + MemberPath.names(t));
    }
    return new SymbolicValue(s.place().plus(m.offset()), m.member().type(), path)
        .withBitField(m.member());
  }

  private SymbolicValue index(SymbolicValue base, long i, List<Bound> bounds)
      throws ResolveException {
    SymbolicValue s = base.referent();
    Type t = TypeLayout.stripped(s.type());
    String path = base.path() + "[" + i + "]";
    if (t.kind() == Type.Kind.POINTER
        && t.target() != null
        && TypeLayout.stripped(t.target()).kind() == Type.Kind.ARRAY
        && function.language() == Language.GO) {
      s = s.deref(s.path());
      t = TypeLayout.stripped(s.type());
    }
    switch (t.kind()) {
      case ARRAY -> {
        // C's zero-length trailing array (GNU `int data[0]`) is a variable-length member, as
        // `int data[]` (no bound) is: its index is not checked, as a pointer's is not
        boolean bounded = t.count() > 0 || (t.count() == 0 && function.language() == Language.GO);
        if (bounded && i >= t.count()) {
          throw new ResolveException(
              "index "
                  + i
                  + " out of range for `"
                  + base.path()
                  + "` of type `"
                  + base.type().displayName()
                  + "` (len "
                  + t.count()
                  + ")");
        }
        return new SymbolicValue(s.place().plus(i * TypeLayout.size(t.target())), t.target(), path);
      }
      case GO_SLICE, POINTER -> {
        Type elem = t.target();
        if (elem == null || TypeLayout.stripped(elem).kind() == Type.Kind.VOID) {
          throw new ResolveException(
              "cannot index `"
                  + base.path()
                  + "` of type `"
                  + base.type().displayName()
                  + "`: unknown element type");
        }
        SymbolicValue data =
            new SymbolicValue(
                    s.place(), new Type(Type.Kind.POINTER, null, 8).target(elem), s.path())
                .deref(path);
        if (t.kind() == Type.Kind.GO_SLICE) bounds.add(new Bound(s.place().plus(8), i, s.path()));
        return new SymbolicValue(data.place().plus(i * TypeLayout.size(elem)), elem, path);
      }
      case GO_STRING -> {
        SymbolicValue data =
            new SymbolicValue(
                    s.place(), new Type(Type.Kind.POINTER, null, 8).target(BYTE), s.path())
                .deref(path);
        bounds.add(new Bound(s.place().plus(8), i, s.path()));
        return new SymbolicValue(data.place().plus(i), BYTE, path);
      }
      default ->
          throw new ResolveException(
              "cannot index `"
                  + base.path()
                  + "` of type `"
                  + base.type().displayName()
                  + "`: not an array, slice, string or pointer");
    }
  }
}
