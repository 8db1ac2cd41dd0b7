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

  /**
   * The key of the truth of an index past the end of a string or array: the error the value must
   * give instead ({@code {"$outOfRange": "index 3 out of range (len 3)"}}).
   */
  private static final String OUT_OF_RANGE = "$outOfRange";

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
    if (base == NIL_ON_PATH || base.has(OUT_OF_RANGE)) return base;
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
      int length =
          base.isTextual() ? base.asText().getBytes(StandardCharsets.UTF_8).length : base.size();
      if (i.index() >= length) {
        return CaptureDecoder.F.objectNode()
            .put(OUT_OF_RANGE, CaptureDecoder.outOfRange(i.index(), length));
      }
      if (base.isTextual())
        return CaptureDecoder.F.numberNode(
            base.asText().getBytes(StandardCharsets.UTF_8)[(int) i.index()]);
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
    if (d instanceof Decoder.Indexed x) {
      compareIndexed(x, reads, expected, where);
      return;
    }
    if (expected.has(OUT_OF_RANGE)) {
      problem(where, "truth: " + expected.get(OUT_OF_RANGE).asText() + ", but nothing checks it");
      return;
    }
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

  /**
   * An element behind a length check: the length read must put the index past the end exactly when
   * the truth does, with the same message; in range, the element must equal the truth.
   */
  private void compareIndexed(
      Decoder.Indexed x, List<ReadResult> reads, JsonNode expected, String where) {
    if (expected == NIL_ON_PATH) {
      compare(new Decoder.SignedInt(x.length(), 8), reads, expected, where + " (length)");
      return;
    }
    if (expected.has(OUT_OF_RANGE)) {
      compared++;
      String want = expected.get(OUT_OF_RANGE).asText();
      JsonNode got = CaptureDecoder.decode(x, reads);
      if (!want.equals(got.path(CaptureDecoder.ERROR).asText(null)))
        problem(where, "truth: " + want + ", but decoded " + got);
      return;
    }
    JsonNode len = CaptureDecoder.decode(new Decoder.SignedInt(x.length(), 8), reads);
    if (len.has(CaptureDecoder.ERROR) || x.index() >= len.asLong()) {
      compared++;
      problem(
          where, "the length read gave " + len + " for index " + x.index() + ", truth " + expected);
      return;
    }
    compare(x.element(), reads, expected, where);
  }

  private static JsonNode expectedChar(JsonNode text, int i) {
    byte[] b = text.asText().getBytes(StandardCharsets.UTF_8);
    return CaptureDecoder.F.numberNode(i < b.length ? b[i] : 0);
  }

  private void problem(String where, String what) {
    problems.append("\n  ").append(where).append(": ").append(what);
  }
}
