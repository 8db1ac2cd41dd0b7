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
 */
public record ValuePlan(
    String name,
    String expression,
    String typeName,
    boolean atReturn,
    String location,
    List<Read> reads,
    Decoder decoder) {

  public ValuePlan {
    reads = List.copyOf(reads);
  }
}
