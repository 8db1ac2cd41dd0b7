package dev.dynlog.operator.reconcile;

import dev.dynlog.api.expr.ExprParser;
import dev.dynlog.api.expr.ExprSyntaxException;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.TracepointSpec;
import dev.dynlog.api.v1alpha1.Ttl;
import dev.dynlog.operator.k8s.LabelSelectors;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks what only the operator can check: capture expression syntax, the process-name regular
 * expression, selector operators and the ttl (repeated here in case the CRD's own validation was
 * bypassed, e.g. by an older CRD).
 */
public final class SpecValidator {

  public static final String INVALID_CAPTURE_EXPRESSION = "InvalidCaptureExpression";
  public static final String INVALID_PROCESS_NAME = "InvalidProcessName";
  public static final String INVALID_SELECTOR = "InvalidSelector";
  public static final String INVALID_TTL = "InvalidTtl";
  public static final String MISSING_FIELD = "MissingField";

  private SpecValidator() {
  }

  /** All problems of the spec, in field order; empty when the spec is usable. */
  public static List<SpecProblem> validate(TracepointSpec spec) {
    List<SpecProblem> problems = new ArrayList<>();
    if (spec == null || spec.getTarget() == null || spec.getFunction() == null) {
      problems.add(new SpecProblem(MISSING_FIELD, "spec.target and spec.function are required"));
      return problems;
    }
    for (String p : LabelSelectors.problems(spec.getTarget().getSelector())) {
      problems.add(new SpecProblem(INVALID_SELECTOR, "spec." + p));
    }
    String regex = spec.getTarget().getProcessName();
    if (regex != null) {
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        problems.add(new SpecProblem(INVALID_PROCESS_NAME, "spec.target.processName '" + regex
            + "' is not a valid regular expression: " + e.getDescription() + " near index "
            + e.getIndex()));
      }
    }
    List<Capture> captures = spec.getCapture() == null ? List.of() : spec.getCapture();
    for (int i = 0; i < captures.size(); i++) {
      Capture c = captures.get(i);
      try {
        ExprParser.parse(c.getExpr());
      } catch (ExprSyntaxException e) {
        problems.add(new SpecProblem(INVALID_CAPTURE_EXPRESSION,
            "spec.capture[" + i + "] (" + c.getName() + "): " + e.getMessage()));
      }
    }
    try {
      Ttl.parse(spec.getTtl());
    } catch (IllegalArgumentException e) {
      problems.add(new SpecProblem(INVALID_TTL, "spec." + e.getMessage()));
    }
    return problems;
  }
}
