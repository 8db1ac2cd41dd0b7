package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/** Safety limits a node agent enforces for one probe. Unset fields take the defaults below. */
public class Limits {

  public static final int DEFAULT_MAX_EVENTS_PER_SECOND = 100;
  public static final int DEFAULT_MAX_STRING_BYTES = 128;
  public static final int DEFAULT_MAX_COLLECTION_ELEMENTS = 16;
  public static final double DEFAULT_SAMPLE_RATIO = 1.0;

  /** CPU budget per node when unset: percent of one core (uprobe traps plus BPF run time). */
  public static final double DEFAULT_MAX_CPU_PERCENT = 5.0;

  /** Largest CPU budget: one whole core per node. The smallest is any value above 0. */
  public static final double MAX_CPU_PERCENT = 100.0;

  /** Most rows per second a probe may emit. */
  public static final int MAX_EVENTS_PER_SECOND = 100_000;

  /**
   * Most bytes copied from one string: what the BPF program delivers per read (the node agent's
   * {@code RecipeLimits.MAX_VALUE_BYTES}; a test checks they are equal).
   */
  public static final int MAX_STRING_BYTES = 512;

  /** Most elements shown of one array (the node agent's {@code PlanOptions.MAX_ELEMENTS}). */
  public static final int MAX_COLLECTION_ELEMENTS = 1024;

  @Min(1)
  @Max(MAX_EVENTS_PER_SECOND)
  @JsonPropertyDescription(
      "Most captured calls per second per process (token bucket in the "
          + "kernel); calls above it are counted but not captured. Default 100.")
  private Integer maxEventsPerSecond;

  @Min(1)
  @Max(MAX_STRING_BYTES)
  @JsonPropertyDescription(
      "Most bytes copied from one string value (at most 512); longer "
          + "strings are cut and marked truncated. Default 128.")
  private Integer maxStringBytes;

  @Min(0)
  @Max(MAX_COLLECTION_ELEMENTS)
  @JsonPropertyDescription("Most elements copied from one slice or array. Default 16.")
  private Integer maxCollectionElements;

  @Min(value = 0, inclusive = false)
  @Max(1)
  @JsonPropertyDescription(
      "Fraction of calls, in (0, 1], whose row is captured (decided in the "
          + "kernel per call); every call is still counted. Default 1.")
  private Double sampleRatio;

  @Min(value = 0, inclusive = false)
  @Max(MAX_CPU_PERCENT)
  @JsonPropertyDescription(
      "CPU budget of this tracepoint on each node, in percent of one core, in (0, 100]: the "
          + "uprobe traps (hits times the per-hit cost the agent measured on that node) plus the "
          + "BPF run time. Above it for 3 seconds, the agent detaches the tracepoint on that node "
          + "and reports its pods Failed (reason CpuBudgetExceeded) until the spec changes. "
          + "Default 5.")
  private Double maxCpuPercent;

  public Limits() {}

  public Limits(Integer maxEventsPerSecond, Integer maxStringBytes, Integer maxCollectionElements) {
    this(maxEventsPerSecond, maxStringBytes, maxCollectionElements, null);
  }

  public Limits(
      Integer maxEventsPerSecond,
      Integer maxStringBytes,
      Integer maxCollectionElements,
      Double sampleRatio) {
    this.maxEventsPerSecond = maxEventsPerSecond;
    this.maxStringBytes = maxStringBytes;
    this.maxCollectionElements = maxCollectionElements;
    this.sampleRatio = sampleRatio;
  }

  public Limits(
      Integer maxEventsPerSecond,
      Integer maxStringBytes,
      Integer maxCollectionElements,
      Double sampleRatio,
      Double maxCpuPercent) {
    this(maxEventsPerSecond, maxStringBytes, maxCollectionElements, sampleRatio);
    this.maxCpuPercent = maxCpuPercent;
  }

  /** The limits with every unset field replaced by its default; {@code null} means all defaults. */
  public static Limits effective(Limits limits) {
    Limits given = limits == null ? new Limits() : limits;
    return new Limits(
        orDefault(given.maxEventsPerSecond, DEFAULT_MAX_EVENTS_PER_SECOND),
        orDefault(given.maxStringBytes, DEFAULT_MAX_STRING_BYTES),
        orDefault(given.maxCollectionElements, DEFAULT_MAX_COLLECTION_ELEMENTS),
        given.sampleRatio == null ? DEFAULT_SAMPLE_RATIO : given.sampleRatio,
        given.maxCpuPercent == null ? DEFAULT_MAX_CPU_PERCENT : given.maxCpuPercent);
  }

  private static Integer orDefault(Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  public Integer getMaxEventsPerSecond() {
    return maxEventsPerSecond;
  }

  public void setMaxEventsPerSecond(Integer maxEventsPerSecond) {
    this.maxEventsPerSecond = maxEventsPerSecond;
  }

  public Integer getMaxStringBytes() {
    return maxStringBytes;
  }

  public void setMaxStringBytes(Integer maxStringBytes) {
    this.maxStringBytes = maxStringBytes;
  }

  public Integer getMaxCollectionElements() {
    return maxCollectionElements;
  }

  public void setMaxCollectionElements(Integer maxCollectionElements) {
    this.maxCollectionElements = maxCollectionElements;
  }

  public Double getSampleRatio() {
    return sampleRatio;
  }

  public void setSampleRatio(Double sampleRatio) {
    this.sampleRatio = sampleRatio;
  }

  public Double getMaxCpuPercent() {
    return maxCpuPercent;
  }

  public void setMaxCpuPercent(Double maxCpuPercent) {
    this.maxCpuPercent = maxCpuPercent;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Limits l
        && Objects.equals(maxEventsPerSecond, l.maxEventsPerSecond)
        && Objects.equals(maxStringBytes, l.maxStringBytes)
        && Objects.equals(maxCollectionElements, l.maxCollectionElements)
        && Objects.equals(sampleRatio, l.sampleRatio)
        && Objects.equals(maxCpuPercent, l.maxCpuPercent);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        maxEventsPerSecond, maxStringBytes, maxCollectionElements, sampleRatio, maxCpuPercent);
  }
}
