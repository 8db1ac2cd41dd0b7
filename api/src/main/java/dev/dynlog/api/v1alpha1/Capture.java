package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.dynlog.api.expr.ExprParser;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** One captured value: a name for the output and the expression that reads it. */
public class Capture {

  /** An identifier: letters, digits and '_', not starting with a digit. */
  public static final String NAME_REGEX = "^[A-Za-z_][A-Za-z0-9_]*$";

  public static final int MAX_NAME_LENGTH = 63;

  @Required
  @Size(min = 1, max = MAX_NAME_LENGTH)
  @ValidationRule(
      value = "self.matches('" + NAME_REGEX + "')",
      message =
          "capture name must be an identifier: letters, digits and '_', "
              + "not starting with a digit")
  @JsonPropertyDescription(
      "Name of the value in captured rows; an identifier, unique within " + "the Tracepoint.")
  private String name;

  @Required
  @Size(min = 1, max = ExprParser.MAX_LENGTH)
  @JsonPropertyDescription(
      "What to read: 'name', 'a.b.c', '*p', '$0', 'len(x)' or 'x[3]', "
          + "combined freely, e.g. 'len(req.Items)'. Syntax errors are reported in status.")
  private String expr;

  public Capture() {}

  public Capture(String name, String expr) {
    this.name = name;
    this.expr = expr;
  }

  /**
   * The command line's form {@code NAME=EXPR} ({@code dynlog trace --capture}), or a bare {@code
   * EXPR} named after itself.
   */
  public static Capture parse(String text) {
    int eq = text.indexOf('=');
    if (eq > 0) {
      return new Capture(text.substring(0, eq).trim(), text.substring(eq + 1).trim());
    }
    return new Capture(text.trim(), text.trim());
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getExpr() {
    return expr;
  }

  public void setExpr(String expr) {
    this.expr = expr;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Capture c && Objects.equals(name, c.name) && Objects.equals(expr, c.expr);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, expr);
  }

  @Override
  public String toString() {
    return name + "=" + expr;
  }
}
