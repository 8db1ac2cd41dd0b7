package dev.dynlog.operator.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorsTest {

  private static final Map<String, String> WEB = Map.of("app", "web", "tier", "front");

  @Test
  void matchLabelsNeedsEveryPair() {
    assertTrue(LabelSelectors.matches(sel(Map.of("app", "web")), WEB));
    assertTrue(LabelSelectors.matches(sel(Map.of("app", "web", "tier", "front")), WEB));
    assertFalse(LabelSelectors.matches(sel(Map.of("app", "web", "tier", "back")), WEB));
    assertFalse(LabelSelectors.matches(sel(Map.of("app", "web")), null));
    assertFalse(LabelSelectors.matches(null, WEB), "no selector selects nothing");
  }

  @Test
  void matchExpressionsFollowKubernetesSemantics() {
    assertTrue(LabelSelectors.matches(expr("app", "In", "web", "api"), WEB));
    assertFalse(LabelSelectors.matches(expr("app", "In", "api"), WEB));
    assertFalse(LabelSelectors.matches(expr("missing", "In", "x"), WEB));
    assertTrue(LabelSelectors.matches(expr("app", "NotIn", "api"), WEB));
    assertTrue(
        LabelSelectors.matches(expr("missing", "NotIn", "x"), WEB),
        "NotIn matches when the label is absent");
    assertFalse(LabelSelectors.matches(expr("app", "NotIn", "web"), WEB));
    assertTrue(LabelSelectors.matches(expr("tier", "Exists"), WEB));
    assertFalse(LabelSelectors.matches(expr("zone", "Exists"), WEB));
    assertTrue(LabelSelectors.matches(expr("zone", "DoesNotExist"), WEB));
    assertFalse(LabelSelectors.matches(expr("app", "Like", "web"), WEB));
  }

  @Test
  void reportsUnusableRequirements() {
    assertEquals(
        List.of(
            "target.selector.matchExpressions[0]: operator 'Like' is not one of "
                + "DoesNotExist, Exists, In, NotIn"),
        LabelSelectors.problems(expr("app", "Like", "x")));
    assertEquals(
        List.of("target.selector.matchExpressions[0]: operator In needs at least one " + "value"),
        LabelSelectors.problems(expr("app", "In")));
    assertEquals(List.of(), LabelSelectors.problems(expr("app", "Exists")));
  }

  private static LabelSelector sel(Map<String, String> labels) {
    return new LabelSelectorBuilder().withMatchLabels(labels).build();
  }

  private static LabelSelector expr(String key, String op, String... values) {
    return new LabelSelectorBuilder()
        .addNewMatchExpression()
        .withKey(key)
        .withOperator(op)
        .withValues(values)
        .endMatchExpression()
        .build();
  }
}
