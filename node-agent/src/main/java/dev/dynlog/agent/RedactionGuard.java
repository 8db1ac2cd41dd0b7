package dev.dynlog.agent;

import dev.dynlog.api.expr.CaptureExpr;
import dev.dynlog.api.expr.ExprParser;
import dev.dynlog.api.expr.ExprSyntaxException;
import dev.dynlog.api.redact.Redaction;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.store.WhereGuard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link WhereGuard} of one tracepoint under one {@link Redaction}: a query may not filter on a
 * capture that the planner redacts whole (a name of its own or of its expression is on the list)
 * nor on a field inside a capture whose name is on the list, as the planner does not read it.
 */
public final class RedactionGuard implements WhereGuard {

  private final Redaction redaction;
  private final Map<String, String> wholeCaptures = new HashMap<>();

  private RedactionGuard(Redaction redaction, List<Capture> captures) {
    this.redaction = redaction;
    for (Capture c : captures) {
      String why = captureRule(redaction, c);
      if (why != null) wholeCaptures.put(c.getName(), why);
    }
  }

  /** The guard of {@code captures} under {@code redaction}; {@link WhereGuard#NONE} when off. */
  public static WhereGuard of(Redaction redaction, List<Capture> captures) {
    return redaction.enabled() ? new RedactionGuard(redaction, captures) : WhereGuard.NONE;
  }

  /**
   * Why {@code c} is redacted as a whole, or null: its name, or a name in its expression (the
   * parameter, a field on the way), matches the list.
   */
  static String captureRule(Redaction redaction, Capture c) {
    List<String> names = new ArrayList<>();
    names.add(c.getName());
    try {
      CaptureExpr e = ExprParser.parse(c.getExpr());
      while (true) {
        if (e instanceof CaptureExpr.Field f) {
          names.add(f.field());
          e = f.base();
        } else if (e instanceof CaptureExpr.Index i) e = i.base();
        else if (e instanceof CaptureExpr.Deref d) e = d.base();
        else if (e instanceof CaptureExpr.Len l) e = l.base();
        else if (e instanceof CaptureExpr.Cap x) e = x.base();
        else break;
      }
      if (e instanceof CaptureExpr.Name n) names.add(n.name());
    } catch (ExprSyntaxException e) {
      // the planner reports the syntax; the capture name alone decides here
    }
    for (String n : names) {
      String entry = redaction.match(n);
      if (entry != null) return "`" + n + "` matches the redaction list (" + entry + ")";
    }
    return null;
  }

  @Override
  public String refusal(List<String> path) {
    if (path.isEmpty()) return null;
    String whole = wholeCaptures.get(path.get(0));
    if (whole != null) return "capture `" + path.get(0) + "` is redacted: " + whole;
    for (int i = 1; i < path.size(); i++) {
      String entry = redaction.match(path.get(i));
      if (entry != null) {
        return "`"
            + String.join(".", path.subList(0, i + 1))
            + "` is redacted: field `"
            + path.get(i)
            + "` matches the redaction list ("
            + entry
            + ")";
      }
    }
    return null;
  }
}
