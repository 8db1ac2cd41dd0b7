package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/**
 * A capture counted per value in the agents' {@code dynlog_rows_total} metric: a low-cardinality
 * label, with at most {@code maxValues} distinct values (later ones count as "other").
 */
public class MetricLabel {

  /** Distinct values counted when {@code maxValues} is not given. */
  public static final int DEFAULT_MAX_VALUES = 20;

  /** Most distinct values one label may count. */
  public static final int MAX_VALUES = 1000;

  @Required
  @Pattern(Capture.NAME_REGEX)
  @JsonPropertyDescription("Name of a capture of this Tracepoint whose values become the label.")
  private String capture;

  @Min(1)
  @Max(MAX_VALUES)
  @JsonPropertyDescription(
      "Most distinct values counted; later values count as \"other\". " + "Default 20.")
  private Integer maxValues;

  public MetricLabel() {}

  public MetricLabel(String capture, Integer maxValues) {
    this.capture = capture;
    this.maxValues = maxValues;
  }

  public String getCapture() {
    return capture;
  }

  public void setCapture(String capture) {
    this.capture = capture;
  }

  public Integer getMaxValues() {
    return maxValues;
  }

  public void setMaxValues(Integer maxValues) {
    this.maxValues = maxValues;
  }

  /** {@code maxValues}, or its default when unset. */
  public int effectiveMaxValues() {
    return maxValues == null ? DEFAULT_MAX_VALUES : maxValues;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MetricLabel m
        && Objects.equals(capture, m.capture)
        && Objects.equals(maxValues, m.maxValues);
  }

  @Override
  public int hashCode() {
    return Objects.hash(capture, maxValues);
  }

  @Override
  public String toString() {
    return capture + (maxValues == null ? "" : ":" + maxValues);
  }
}
