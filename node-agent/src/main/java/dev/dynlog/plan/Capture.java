package dev.dynlog.plan;

/**
 * One value to capture: a name for the output and the expression that computes it.
 *
 * @param name the output name (e.g. "user")
 * @param expression the expression (e.g. "req.User.Name", "$0", "len(s)")
 */
public record Capture(String name, String expression) {

  /** Parses {@code NAME=EXPR}, or a bare {@code EXPR} named after itself. */
  public static Capture parse(String spec) {
    int eq = spec.indexOf('=');
    if (eq > 0) return new Capture(spec.substring(0, eq).trim(), spec.substring(eq + 1).trim());
    return new Capture(spec.trim(), spec.trim());
  }
}
