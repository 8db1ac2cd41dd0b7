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
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns one capture expression of one function into a {@link ValuePlan}: resolves names against the
 * function's parameters and results, walks fields, indexes and dereferences symbolically from the
 * calling convention's locations, then has a {@link ValueExpander} turn the value into primitive
 * reads and a decoder within the {@link PlanOptions} caps.
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
    SymbolicValue sym = eval(expr);
    ValueExpander x =
        new ValueExpander(options, Math.min(options.maxReadsPerValue(), budget.remaining));
    Decoder decoder = x.decode(sym, 0);
    if (x.starved() && x.reads().isEmpty()) {
      throw new ResolveException(
          "capture `"
              + capture.getName()
              + "` of "
              + function.name()
              + ": no reads left at this probe (at most "
              + options.maxReadsPerProbe()
              + " reads per probe; earlier captures use them)");
    }
    budget.remaining -= x.reads().size();
    String location = sym.describe();
    return new ValuePlan(
        capture.getName(),
        capture.getExpr(),
        sym.type().displayName(),
        atReturn,
        location,
        x.reads(),
        decoder);
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

  private SymbolicValue eval(CaptureExpr e) throws ResolveException {
    if (e instanceof CaptureExpr.Name || e instanceof CaptureExpr.Result) return rootSym(e);
    if (e instanceof CaptureExpr.Field f) return field(eval(f.base()), f.field());
    if (e instanceof CaptureExpr.Deref d) {
      SymbolicValue base = eval(d.base());
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
    if (e instanceof CaptureExpr.Index i) return index(eval(i.base()), i.index());
    if (e instanceof CaptureExpr.Len l) {
      SymbolicValue base = eval(l.base()).referent();
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
    SymbolicValue base = eval(c.base()).referent();
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

  private SymbolicValue index(SymbolicValue base, long i) throws ResolveException {
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
        if (t.count() >= 0 && i >= t.count()) {
          throw new ResolveException(
              "index "
                  + i
                  + " out of range for `"
                  + base.path()
                  + "` of type `"
                  + base.type().displayName()
                  + "` (length "
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
        return new SymbolicValue(data.place().plus(i * TypeLayout.size(elem)), elem, path);
      }
      case GO_STRING -> {
        SymbolicValue data =
            new SymbolicValue(
                    s.place(), new Type(Type.Kind.POINTER, null, 8).target(BYTE), s.path())
                .deref(path);
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
