package dev.dynlog.operator.k8s;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Evaluates Kubernetes label selectors (matchLabels and matchExpressions) against labels. */
public final class LabelSelectors {

  /** Operators Kubernetes defines for matchExpressions. */
  public static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

  private LabelSelectors() {}

  /**
   * True when every requirement of the selector holds for the labels. A {@code null} selector
   * matches nothing (a Tracepoint must never select every pod by accident).
   */
  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    Map<String, String> have = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> want : selector.getMatchLabels().entrySet()) {
        if (!want.getValue().equals(have.get(want.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        if (!matches(r, have)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Problems that make the selector unusable, e.g. an unknown operator; empty when fine. */
  public static List<String> problems(LabelSelector selector) {
    List<String> problems = new ArrayList<>();
    if (selector == null || selector.getMatchExpressions() == null) {
      return problems;
    }
    for (int i = 0; i < selector.getMatchExpressions().size(); i++) {
      LabelSelectorRequirement r = selector.getMatchExpressions().get(i);
      String where = "target.selector.matchExpressions[" + i + "]";
      if (r.getKey() == null || r.getKey().isEmpty()) {
        problems.add(where + ": key is empty");
      }
      if (!OPERATORS.contains(r.getOperator())) {
        problems.add(
            where
                + ": operator '"
                + r.getOperator()
                + "' is not one of "
                + String.join(", ", OPERATORS.stream().sorted().toList()));
      } else if ((r.getOperator().equals("In") || r.getOperator().equals("NotIn"))
          && (r.getValues() == null || r.getValues().isEmpty())) {
        problems.add(where + ": operator " + r.getOperator() + " needs at least one value");
      }
    }
    return problems;
  }

  private static boolean matches(LabelSelectorRequirement r, Map<String, String> labels) {
    String value = labels.get(r.getKey());
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    return switch (String.valueOf(r.getOperator())) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      default -> false;
    };
  }
}
