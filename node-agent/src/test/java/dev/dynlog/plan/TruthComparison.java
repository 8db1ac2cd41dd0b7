package dev.dynlog.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dynlog.api.expr.CaptureExpr;
import dev.dynlog.api.expr.ExprParser;
import dev.dynlog.api.expr.ExprSyntaxException;
import dev.dynlog.plan.GdbPlanOracle.ReadResult;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.testing.GroundTruth;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Compares what a plan's reads decode to with the value the target printed for the same expression
 * (navigated over its ground-truth JSON), collecting mismatches instead of stopping at the first.
 */
final class TruthComparison {

  /** Ground truth path went through a nil pointer: the read must fail. */
  private static final ObjectNode NIL_ON_PATH = CaptureDecoder.F.objectNode().put("$nil", true);

  final StringBuilder problems = new StringBuilder();
  int compared;
  int unavailable;

  /** The expected value of {@code expression} for one call, per the target's own output. */
  static JsonNode expected(String expression, GroundTruth call) throws ResolveException {
    try {
      return expected(ExprParser.parse(expression), call);
    } catch (ExprSyntaxException e) {
      throw new ResolveException(e.getMessage(), e);
    }
  }

  private static JsonNode expected(CaptureExpr e, GroundTruth call) {
    if (e instanceof CaptureExpr.Result r) return call.result(r.index());
    if (e instanceof CaptureExpr.Name n) {
      return call.args().has(n.name()) ? call.args().get(n.name()) : call.result(n.name());
    }
    if (e instanceof CaptureExpr.Cap) return null;
    JsonNode base = expected(baseOf(e), call);
    if (base == null) return null;
    if (base == NIL_ON_PATH) return NIL_ON_PATH;
    if (e instanceof CaptureExpr.Deref) return base.isNull() ? NIL_ON_PATH : base;
    if (e instanceof CaptureExpr.Field f) {
      if (base.isNull()) return NIL_ON_PATH;
      JsonNode v = base.get(f.field());
      if (v == null)
        throw new IllegalStateException(
            "ground truth of " + call.fn() + " has no field " + f.field() + " in " + base);
      return v;
    }
    if (e instanceof CaptureExpr.Index i) {
      if (base.isTextual()) {
        byte[] b = base.asText().getBytes(StandardCharsets.UTF_8);
        return CaptureDecoder.F.numberNode(i.index() < b.length ? b[(int) i.index()] : 0);
      }
      return base.get((int) i.index());
    }
    CaptureExpr.Len l = (CaptureExpr.Len) e;
    if (base.isTextual())
      return CaptureDecoder.F.numberNode(base.asText().getBytes(StandardCharsets.UTF_8).length);
    return CaptureDecoder.F.numberNode(base.size());
  }

  private static CaptureExpr baseOf(CaptureExpr e) {
    if (e instanceof CaptureExpr.Field f) return f.base();
    if (e instanceof CaptureExpr.Index i) return i.base();
    if (e instanceof CaptureExpr.Deref d) return d.base();
    return ((CaptureExpr.Len) e).base();
  }

  /**
   * Compares decoder output over {@code reads} with {@code expected}; {@code where} names it in
   * messages.
   */
  void compare(Decoder d, List<ReadResult> reads, JsonNode expected, String where) {
    if (expected == null) return;
    if (d instanceof Decoder.Elided) return;
    if (d instanceof Decoder.Unavailable u) {
      unavailable++;
      if (!u.why().contains("XMM") && !u.why().contains("x87"))
        problem(where, "unexpectedly unavailable: " + u.why());
      if (!expected.isNumber())
        problem(where, "unavailable, but the truth is not a float: " + expected);
      return;
    }
    if (d instanceof Decoder.Struct s) {
      if (expected == NIL_ON_PATH) {
        problem(where, "truth has a nil pointer on the way but a struct was decoded");
        return;
      }
      if (expected.isArray() && s.names().equals(List.of("len", "cap"))) {
        compare(
            s.fields().get(0), reads, CaptureDecoder.F.numberNode(expected.size()), where + ".len");
        return;
      }
      for (int i = 0; i < s.names().size(); i++) {
        String name = s.names().get(i);
        if (name.equals("…")) continue;
        JsonNode ev = name.equals("real") || name.equals("imag") ? null : expected.get(name);
        if (ev == null && !(name.equals("real") || name.equals("imag"))) {
          problem(where, "truth has no field " + name + ": " + expected);
          continue;
        }
        compare(s.fields().get(i), reads, ev, where + "." + name);
      }
      return;
    }
    if (d instanceof Decoder.Array a) {
      for (int i = 0; i < a.elements().size(); i++) {
        JsonNode ev = expected.isTextual() ? expectedChar(expected, i) : expected.get(i);
        compare(a.elements().get(i), reads, ev, where + "[" + i + "]");
      }
      return;
    }
    JsonNode got = CaptureDecoder.decode(d, reads);
    compared++;
    if (got.has(CaptureDecoder.ERROR)) {
      if (expected != NIL_ON_PATH)
        problem(
            where,
            "read failed (" + got.get(CaptureDecoder.ERROR).asText() + "), truth " + expected);
      return;
    }
    if (expected == NIL_ON_PATH) {
      problem(where, "truth goes through a nil pointer, but the read gave " + got);
      return;
    }
    boolean messageUnknown =
        d instanceof Decoder.GoError && CaptureDecoder.NON_NIL.equals(got.asText());
    if (d instanceof Decoder.Pointer || d instanceof Decoder.GoInterface || messageUnknown) {
      if (got.isNull() != expected.isNull())
        problem(where, "nil-ness differs: got " + got + ", truth " + expected);
      return;
    }
    if (got.isNumber() && expected.isNumber()) {
      if (new BigDecimal(got.asText()).compareTo(new BigDecimal(expected.asText())) != 0) {
        problem(where, "got " + got + ", truth " + expected);
      }
      return;
    }
    if (!got.equals(expected)) problem(where, "got " + got + ", truth " + expected);
  }

  private static JsonNode expectedChar(JsonNode text, int i) {
    byte[] b = text.asText().getBytes(StandardCharsets.UTF_8);
    return CaptureDecoder.F.numberNode(i < b.length ? b[i] : 0);
  }

  private void problem(String where, String what) {
    problems.append("\n  ").append(where).append(": ").append(what);
  }
}
