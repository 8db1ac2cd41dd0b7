package dev.dynlog.plan;

/**
 * Caps that keep a probe plan within what the BPF program executes per hit.
 *
 * @param stringCap bytes copied at most from one string or byte slice (1..{@value #LIMIT_STRING_CAP})
 * @param maxDepth levels of nested structs expanded as JSON; deeper values are elided
 * @param maxFields fields shown per struct; the rest are elided
 * @param maxElements array elements shown; the rest are elided
 * @param maxReadsPerValue primitive reads one captured value may use
 * @param maxReadsPerProbe primitive reads all values at one probe site may use together
 *     (1..{@value #LIMIT_READS_PER_PROBE})
 */
public record PlanOptions(
    int stringCap, int maxDepth, int maxFields, int maxElements, int maxReadsPerValue, int maxReadsPerProbe) {

  /** Reads the BPF program performs per probe hit at most. */
  public static final int LIMIT_READS_PER_PROBE = 16;
  /** Register/stack pieces the BPF program assembles per read at most. */
  public static final int LIMIT_PIECES_PER_READ = 4;
  /** Pointer dereferences the BPF program follows per read at most. */
  public static final int LIMIT_DEREFS = 4;
  /** Bytes the BPF program copies per string at most. */
  public static final int LIMIT_STRING_CAP = 4096;

  public PlanOptions {
    check("stringCap", stringCap, 1, LIMIT_STRING_CAP);
    check("maxDepth", maxDepth, 0, 16);
    check("maxFields", maxFields, 1, 256);
    check("maxElements", maxElements, 0, 256);
    check("maxReadsPerProbe", maxReadsPerProbe, 1, LIMIT_READS_PER_PROBE);
    check("maxReadsPerValue", maxReadsPerValue, 1, maxReadsPerProbe);
  }

  /** Strings up to 256 bytes, structs two levels deep, 16 fields, 8 elements, 16 reads. */
  public static PlanOptions defaults() {
    return new PlanOptions(256, 2, 16, 8, LIMIT_READS_PER_PROBE, LIMIT_READS_PER_PROBE);
  }

  public PlanOptions withStringCap(int cap) {
    return new PlanOptions(cap, maxDepth, maxFields, maxElements, maxReadsPerValue, maxReadsPerProbe);
  }

  private static void check(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be within " + min + ".." + max + ", not " + value);
    }
  }
}
