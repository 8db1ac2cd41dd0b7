package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Safety limits a node agent enforces for one probe. Unset fields take the defaults below. */
public class Limits {

  public static final int DEFAULT_MAX_EVENTS_PER_SECOND = 100;
  public static final int DEFAULT_MAX_STRING_BYTES = 128;
  public static final int DEFAULT_MAX_COLLECTION_ELEMENTS = 16;

  @Min(1)
  @Max(100000)
  @JsonPropertyDescription("Most captured calls per second per process (token bucket in the "
      + "kernel); calls above it are counted but not captured. Default 100.")
  private Integer maxEventsPerSecond;

  @Min(1)
  @Max(4096)
  @JsonPropertyDescription("Most bytes copied from one string value. Default 128.")
  private Integer maxStringBytes;

  @Min(0)
  @Max(1024)
  @JsonPropertyDescription("Most elements copied from one slice or array. Default 16.")
  private Integer maxCollectionElements;

  public Limits() {
  }

  public Limits(Integer maxEventsPerSecond, Integer maxStringBytes,
      Integer maxCollectionElements) {
    this.maxEventsPerSecond = maxEventsPerSecond;
    this.maxStringBytes = maxStringBytes;
    this.maxCollectionElements = maxCollectionElements;
  }

  /** The limits with every unset field replaced by its default; {@code null} means all defaults. */
  public static Limits effective(Limits limits) {
    Limits given = limits == null ? new Limits() : limits;
    return new Limits(
        orDefault(given.maxEventsPerSecond, DEFAULT_MAX_EVENTS_PER_SECOND),
        orDefault(given.maxStringBytes, DEFAULT_MAX_STRING_BYTES),
        orDefault(given.maxCollectionElements, DEFAULT_MAX_COLLECTION_ELEMENTS));
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
}
