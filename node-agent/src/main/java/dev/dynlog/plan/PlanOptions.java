package dev.dynlog.plan;

import dev.dynlog.api.redact.Redaction;
import dev.dynlog.recipe.RecipeLimits;

/**
 * Caps that keep a probe plan within what the BPF program executes per hit ({@link RecipeLimits}).
 *
 * @param stringCap bytes copied at most from one string or byte slice (1..{@value
 *     RecipeLimits#MAX_VALUE_BYTES})
 * @param maxDepth levels of nested structs expanded as JSON; deeper values are elided
 * @param maxFields fields shown per struct; the rest are elided
 * @param maxElements array elements shown; the rest are elided
 * @param maxReadsPerValue primitive reads one captured value may use
 * @param maxReadsPerProbe primitive reads all values at one probe site may use together (1..{@value
 *     RecipeLimits#MAX_READS})
 * @param redaction the identifier names whose values are never read ({@link Redaction#none()} to
 *     read everything)
 */
public record PlanOptions(
    int stringCap,
    int maxDepth,
    int maxFields,
    int maxElements,
    int maxReadsPerValue,
    int maxReadsPerProbe,
    Redaction redaction) {

  /** Most array elements a plan may show (each element takes at least one read). */
  public static final int MAX_ELEMENTS = 1024;

  public PlanOptions {
    check("stringCap", stringCap, 1, RecipeLimits.MAX_VALUE_BYTES);
    check("maxDepth", maxDepth, 0, 16);
    check("maxFields", maxFields, 1, 256);
    check("maxElements", maxElements, 0, MAX_ELEMENTS);
    check("maxReadsPerProbe", maxReadsPerProbe, 1, RecipeLimits.MAX_READS);
    check("maxReadsPerValue", maxReadsPerValue, 1, maxReadsPerProbe);
    if (redaction == null) throw new IllegalArgumentException("redaction is null; use none()");
  }

  /** Caps with the built-in {@link Redaction#defaults() redaction list}. */
  public PlanOptions(
      int stringCap,
      int maxDepth,
      int maxFields,
      int maxElements,
      int maxReadsPerValue,
      int maxReadsPerProbe) {
    this(
        stringCap,
        maxDepth,
        maxFields,
        maxElements,
        maxReadsPerValue,
        maxReadsPerProbe,
        Redaction.defaults());
  }

  /**
   * Strings up to 128 bytes, structs two levels deep, 16 fields, 16 elements, 16 reads, the
   * built-in redaction list.
   */
  public static PlanOptions defaults() {
    return new PlanOptions(128, 2, 16, 16, RecipeLimits.MAX_READS, RecipeLimits.MAX_READS);
  }

  public PlanOptions withStringCap(int cap) {
    return new PlanOptions(
        cap, maxDepth, maxFields, maxElements, maxReadsPerValue, maxReadsPerProbe, redaction);
  }

  public PlanOptions withMaxElements(int elements) {
    return new PlanOptions(
        stringCap, maxDepth, maxFields, elements, maxReadsPerValue, maxReadsPerProbe, redaction);
  }

  /** These caps with {@code r} as the redaction list. */
  public PlanOptions withRedaction(Redaction r) {
    return new PlanOptions(
        stringCap, maxDepth, maxFields, maxElements, maxReadsPerValue, maxReadsPerProbe, r);
  }

  private static void check(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be within " + min + ".." + max + ", not " + value);
    }
  }
}
