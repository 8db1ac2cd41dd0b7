package dev.dynlog.plan;

import dev.dynlog.recipe.Read;
import java.util.List;

/**
 * The plan for one captured expression at one probe site.
 *
 * @param name the capture's name (e.g. "user")
 * @param expression the expression text (e.g. "req.User.Name")
 * @param typeName the expression's type as the source spells it
 * @param atReturn true when read at return (results), false when read at entry
 * @param location human-readable description of where the base value lives (for {@code inspect})
 * @param reads the primitive reads, in order
 * @param decoder how the reads become a value
 * @param redacted the parts of the value that are not read because a name matches the redaction
 *     list (the whole capture, or fields inside it), with the rule that matched
 */
public record ValuePlan(
    String name,
    String expression,
    String typeName,
    boolean atReturn,
    String location,
    List<Read> reads,
    Decoder decoder,
    List<Redacted> redacted) {

  /**
   * A part of a captured value that is never read.
   *
   * @param path where it is, starting with the capture's name ({@code creds.token}, or {@code
   *     password} for the whole capture)
   * @param rule why, for the row's errors ("redacted: field `token` matches the redaction list
   *     (token)")
   */
  public record Redacted(String path, String rule) {}

  public ValuePlan {
    reads = List.copyOf(reads);
    redacted = List.copyOf(redacted);
  }

  /** A plan with nothing redacted. */
  public ValuePlan(
      String name,
      String expression,
      String typeName,
      boolean atReturn,
      String location,
      List<Read> reads,
      Decoder decoder) {
    this(name, expression, typeName, atReturn, location, reads, decoder, List.of());
  }

  /** The rules of {@link #redacted()} joined for a row's errors, or null when nothing is. */
  public String redactionNote() {
    if (redacted.isEmpty()) return null;
    StringBuilder sb = new StringBuilder();
    for (Redacted r : redacted) {
      if (sb.length() > 0) sb.append("; ");
      sb.append(r.rule());
    }
    return sb.toString();
  }
}
