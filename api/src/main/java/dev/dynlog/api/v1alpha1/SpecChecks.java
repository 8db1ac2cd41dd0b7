package dev.dynlog.api.v1alpha1;

import dev.dynlog.api.expr.ExprParser;
import dev.dynlog.api.expr.ExprSyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The checks every reader of a {@link TracepointSpec} applies, so that the operator and {@code
 * dynlog run -f} accept exactly the same specs: the bounds and patterns of the CRD schema (the
 * annotations on the model use the same constants), plus what a schema cannot express (capture
 * expression syntax, the process-name regular expression, ttl bounds, labels naming captures). The
 * pod selector is the operator's to check.
 */
public final class SpecChecks {

  public static final String MISSING_FIELD = "MissingField";
  public static final String INVALID_FUNCTION = "InvalidFunction";
  public static final String INVALID_CAPTURE = "InvalidCapture";
  public static final String INVALID_CAPTURE_EXPRESSION = "InvalidCaptureExpression";
  public static final String INVALID_PROCESS_NAME = "InvalidProcessName";
  public static final String INVALID_CONTAINER = "InvalidContainer";
  public static final String INVALID_TTL = "InvalidTtl";
  public static final String INVALID_LIMITS = "InvalidLimits";
  public static final String INVALID_METRIC_LABEL = "InvalidMetricLabel";

  /** Label names the agents' metrics use themselves. */
  /** Label names dynlog's metrics use themselves (an agent's carry namespace, pod and node). */
  public static final Set<String> RESERVED_LABELS =
      Set.of("tracepoint", "reason", "namespace", "pod", "node");

  private static final Pattern FUNCTION = Pattern.compile(TracepointSpec.FUNCTION_PATTERN);
  private static final Pattern NAME = Pattern.compile(Capture.NAME_REGEX);
  private static final Pattern CONTAINER = Pattern.compile(Target.CONTAINER_PATTERN);

  private SpecChecks() {}

  /** Every problem of the spec, in field order; empty when it is usable. */
  public static List<SpecProblem> problems(TracepointSpec spec) {
    List<SpecProblem> out = new ArrayList<>();
    if (spec == null) {
      out.add(new SpecProblem(MISSING_FIELD, "spec is required"));
      return out;
    }
    function(spec.getFunction(), out);
    if (spec.getTarget() != null) {
      target(spec.getTarget(), out);
    }
    Set<String> captureNames = captures(spec.getCapture(), out);
    try {
      Ttl.parse(spec.getTtl());
    } catch (IllegalArgumentException e) {
      out.add(new SpecProblem(INVALID_TTL, "spec." + e.getMessage()));
    }
    if (spec.getLimits() != null) {
      limits(spec.getLimits(), out);
    }
    labels(spec.getMetricLabels(), captureNames, out);
    return out;
  }

  /** The spec's ttl; call only when {@link #problems} found none. */
  public static Duration ttl(TracepointSpec spec) {
    return Ttl.parse(spec.getTtl());
  }

  private static void function(String function, List<SpecProblem> out) {
    if (function == null || function.isEmpty()) {
      out.add(new SpecProblem(MISSING_FIELD, "spec.function is required"));
    } else if (function.length() > TracepointSpec.MAX_FUNCTION_LENGTH) {
      out.add(
          new SpecProblem(
              INVALID_FUNCTION,
              "spec.function is longer than "
                  + TracepointSpec.MAX_FUNCTION_LENGTH
                  + " characters"));
    } else if (!FUNCTION.matcher(function).matches()) {
      out.add(
          new SpecProblem(
              INVALID_FUNCTION,
              "spec.function '"
                  + function
                  + "' is not a function name (Go such as main.(*Server).Handle, or C++ such as ns::Class::method)"));
    }
  }

  private static void target(Target target, List<SpecProblem> out) {
    String container = target.getContainer();
    if (container != null
        && (container.length() > Target.MAX_CONTAINER_LENGTH
            || !CONTAINER.matcher(container).matches())) {
      out.add(
          new SpecProblem(
              INVALID_CONTAINER,
              "spec.target.container '"
                  + container
                  + "' is not a container name (lower-case letters, digits and '-', at most "
                  + Target.MAX_CONTAINER_LENGTH
                  + ")"));
    }
    String regex = target.getProcessName();
    if (regex == null) {
      return;
    }
    if (regex.length() > Target.MAX_PROCESS_NAME_LENGTH) {
      out.add(
          new SpecProblem(
              INVALID_PROCESS_NAME,
              "spec.target.processName is longer than "
                  + Target.MAX_PROCESS_NAME_LENGTH
                  + " characters"));
      return;
    }
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      out.add(
          new SpecProblem(
              INVALID_PROCESS_NAME,
              "spec.target.processName '"
                  + regex
                  + "' is not a valid regular expression: "
                  + e.getDescription()
                  + " near index "
                  + e.getIndex()));
    }
  }

  private static Set<String> captures(List<Capture> captures, List<SpecProblem> out) {
    Set<String> names = new HashSet<>();
    if (captures == null) {
      return names;
    }
    if (captures.size() > TracepointSpec.MAX_CAPTURES) {
      out.add(
          new SpecProblem(
              INVALID_CAPTURE,
              "spec.capture has "
                  + captures.size()
                  + " entries; at most "
                  + TracepointSpec.MAX_CAPTURES));
    }
    for (int i = 0; i < captures.size(); i++) {
      Capture c = captures.get(i);
      String where = "spec.capture[" + i + "]";
      if (c == null || c.getName() == null || c.getName().isEmpty()) {
        out.add(new SpecProblem(MISSING_FIELD, where + ".name is required"));
        continue;
      }
      where += " (" + c.getName() + ")";
      if (c.getName().length() > Capture.MAX_NAME_LENGTH || !NAME.matcher(c.getName()).matches()) {
        out.add(
            new SpecProblem(
                INVALID_CAPTURE,
                where
                    + ": capture name must be an identifier: "
                    + "letters, digits and '_', not starting with a digit, at most "
                    + Capture.MAX_NAME_LENGTH
                    + " characters"));
      } else if (!names.add(c.getName())) {
        out.add(new SpecProblem(INVALID_CAPTURE, where + ": capture names must be unique"));
      }
      if (c.getExpr() == null || c.getExpr().isEmpty()) {
        out.add(new SpecProblem(MISSING_FIELD, where + ".expr is required"));
        continue;
      }
      try {
        ExprParser.parse(c.getExpr());
      } catch (ExprSyntaxException e) {
        out.add(new SpecProblem(INVALID_CAPTURE_EXPRESSION, where + ": " + e.getMessage()));
      }
    }
    return names;
  }

  private static void limits(Limits l, List<SpecProblem> out) {
    bound("maxEventsPerSecond", l.getMaxEventsPerSecond(), 1, Limits.MAX_EVENTS_PER_SECOND, out);
    bound("maxStringBytes", l.getMaxStringBytes(), 1, Limits.MAX_STRING_BYTES, out);
    bound(
        "maxCollectionElements",
        l.getMaxCollectionElements(),
        0,
        Limits.MAX_COLLECTION_ELEMENTS,
        out);
    Double ratio = l.getSampleRatio();
    if (ratio != null && !(ratio > 0 && ratio <= 1)) {
      out.add(
          new SpecProblem(
              INVALID_LIMITS, "spec.limits.sampleRatio must be in (0, 1], not " + ratio));
    }
    Double cpu = l.getMaxCpuPercent();
    if (cpu != null && !(cpu > 0 && cpu <= Limits.MAX_CPU_PERCENT)) {
      out.add(
          new SpecProblem(
              INVALID_LIMITS,
              "spec.limits.maxCpuPercent must be in (0, "
                  + (int) Limits.MAX_CPU_PERCENT
                  + "] (percent of one core), not "
                  + cpu));
    }
  }

  private static void bound(String field, Integer value, int min, int max, List<SpecProblem> out) {
    if (value != null && (value < min || value > max)) {
      out.add(
          new SpecProblem(
              INVALID_LIMITS,
              "spec.limits." + field + " must be from " + min + " to " + max + ", not " + value));
    }
  }

  private static void labels(
      List<MetricLabel> labels, Set<String> captures, List<SpecProblem> out) {
    if (labels == null) {
      return;
    }
    if (labels.size() > TracepointSpec.MAX_METRIC_LABELS) {
      out.add(
          new SpecProblem(
              INVALID_METRIC_LABEL,
              "spec.metricLabels has "
                  + labels.size()
                  + " entries; at most "
                  + TracepointSpec.MAX_METRIC_LABELS));
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < labels.size(); i++) {
      MetricLabel l = labels.get(i);
      String where = "spec.metricLabels[" + i + "]";
      if (l == null || l.getCapture() == null) {
        out.add(new SpecProblem(MISSING_FIELD, where + ".capture is required"));
        continue;
      }
      if (!captures.contains(l.getCapture())) {
        out.add(
            new SpecProblem(
                INVALID_METRIC_LABEL,
                where
                    + ": '"
                    + l.getCapture()
                    + "' is not a capture; captures are "
                    + captures.stream().sorted().toList()));
      } else if (RESERVED_LABELS.contains(l.getCapture()) || l.getCapture().startsWith("__")) {
        out.add(
            new SpecProblem(
                INVALID_METRIC_LABEL,
                where
                    + ": '"
                    + l.getCapture()
                    + "' is a reserved label name (dynlog's metrics use "
                    + RESERVED_LABELS.stream().sorted().toList()
                    + "); rename the capture"));
      } else if (!seen.add(l.getCapture())) {
        out.add(
            new SpecProblem(
                INVALID_METRIC_LABEL, where + ": '" + l.getCapture() + "' is labelled twice"));
      }
      Integer max = l.getMaxValues();
      if (max != null && (max < 1 || max > MetricLabel.MAX_VALUES)) {
        out.add(
            new SpecProblem(
                INVALID_METRIC_LABEL,
                where + ".maxValues must be from 1 to " + MetricLabel.MAX_VALUES + ", not " + max));
      }
    }
  }
}
