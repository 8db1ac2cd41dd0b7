package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** What to probe, where, what to capture and for how long. Written only by the user. */
@JsonClassDescription(
    "The question, written only by the user (the operator never changes it): which function to "
        + "probe, in which pods (target), what to capture at each call, whether to measure "
        + "latency, for how long (ttl) and within which limits.")
public class TracepointSpec {

  /** Pattern of a function name: Go ({@code main.(*Server).Handle}) or C++ qualified names. */
  public static final String FUNCTION_PATTERN = "^[A-Za-z_][A-Za-z0-9_.:/()*&~<>\\[\\], -]*$";

  /** Longest function name. */
  public static final int MAX_FUNCTION_LENGTH = 512;

  /** Most captures one Tracepoint may declare. */
  public static final int MAX_CAPTURES = 16;

  /** Most metric labels one Tracepoint may declare. */
  public static final int MAX_METRIC_LABELS = 4;

  @Required
  @JsonPropertyDescription(
      "Which processes to probe: pods selected by label in this namespace, "
          + "optionally narrowed to one container and a process name.")
  private Target target;

  @Required
  @Size(min = 1, max = MAX_FUNCTION_LENGTH)
  @Pattern(FUNCTION_PATTERN)
  @JsonPropertyDescription(
      "Function to probe, by its source name: a Go name such as "
          + "'main.(*Server).Handle' or 'github.com/acme/shop.Sum', or a C/C++ qualified name such "
          + "as 'ns::Class::method'.")
  private String function;

  @Size(max = MAX_CAPTURES)
  @ValidationRule(
      value = "self.all(c, self.exists_one(d, d.name == c.name))",
      message = "capture names must be unique")
  @JsonPropertyDescription(
      "Values to capture at each call, each with a unique name. Expressions: "
          + "'name' (parameter or named result), 'a.b.c' (fields, following pointers), '*p', "
          + "'$0'/'$1' (results by position), 'len(x)' (string or slice length), 'x[3]' "
          + "(constant index).")
  private List<Capture> capture = new ArrayList<>();

  @JsonPropertyDescription("Also measure each call's duration (entry to return). Default false.")
  private Boolean latency;

  @Default("1h")
  @Size(max = Ttl.MAX_LENGTH)
  @Pattern(Ttl.PATTERN)
  @ValidationRule(value = Ttl.RULE, message = Ttl.RULE_MESSAGE)
  @JsonPropertyDescription(
      "How long the probe stays attached, counted from the last change of "
          + "this spec, e.g. '30m', '1h30m' (units ms, s, m, h). Between "
          + Ttl.MIN_TEXT
          + " and "
          + Ttl.MAX_TEXT
          + "; default 1h. When it elapses the Tracepoint turns Expired and is detached; change the "
          + "spec (for example the ttl) to renew it.")
  private String ttl;

  @JsonPropertyDescription("Safety limits applied by the node agents.")
  private Limits limits;

  @Size(max = MAX_METRIC_LABELS)
  @JsonPropertyDescription(
      "Captures whose values label the rows counted in the agents' "
          + "dynlog_rows_total metric, each with at most maxValues distinct values (default 20; "
          + "later values count as \"other\"). No captured value becomes a label otherwise.")
  private List<MetricLabel> metricLabels = new ArrayList<>();

  public Target getTarget() {
    return target;
  }

  public void setTarget(Target target) {
    this.target = target;
  }

  public String getFunction() {
    return function;
  }

  public void setFunction(String function) {
    this.function = function;
  }

  public List<Capture> getCapture() {
    return capture;
  }

  public void setCapture(List<Capture> capture) {
    this.capture = capture;
  }

  public Boolean getLatency() {
    return latency;
  }

  public void setLatency(Boolean latency) {
    this.latency = latency;
  }

  public String getTtl() {
    return ttl;
  }

  public void setTtl(String ttl) {
    this.ttl = ttl;
  }

  public Limits getLimits() {
    return limits;
  }

  public void setLimits(Limits limits) {
    this.limits = limits;
  }

  public List<MetricLabel> getMetricLabels() {
    return metricLabels;
  }

  public void setMetricLabels(List<MetricLabel> metricLabels) {
    this.metricLabels = metricLabels;
  }
}
