package dev.dynlog.operator.reconcile;

import dev.dynlog.api.v1alpha1.SpecChecks;
import dev.dynlog.api.v1alpha1.SpecProblem;
import dev.dynlog.api.v1alpha1.TracepointSpec;
import dev.dynlog.operator.k8s.LabelSelectors;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a Tracepoint spec: {@link SpecChecks} (what every reader of a spec checks, the node
 * agent's {@code dynlog run -f} included: schema bounds repeated in case the CRD's own validation
 * was bypassed, capture expression syntax, process-name regular expression, ttl), plus what only
 * the operator uses: the target and its pod selector.
 */
public final class SpecValidator {

  public static final String INVALID_CAPTURE_EXPRESSION = SpecChecks.INVALID_CAPTURE_EXPRESSION;
  public static final String INVALID_PROCESS_NAME = SpecChecks.INVALID_PROCESS_NAME;
  public static final String INVALID_SELECTOR = "InvalidSelector";
  public static final String INVALID_TTL = SpecChecks.INVALID_TTL;
  public static final String MISSING_FIELD = SpecChecks.MISSING_FIELD;

  private SpecValidator() {}

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
    problems.addAll(SpecChecks.problems(spec));
    return problems;
  }
}
