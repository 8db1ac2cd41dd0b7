package dev.dynlog.store;

import java.util.Set;

/**
 * A capture declared as a low-cardinality metric label: rows are counted per value of that capture
 * in {@code dynlog_rows_total}, with at most {@code maxValues} distinct values; later values are
 * counted under {@link #OTHER}.
 *
 * @param capture the capture's name (as in {@code --capture NAME=EXPR})
 * @param maxValues distinct values kept before falling back to {@link #OTHER}
 */
public record LabelSpec(String capture, int maxValues) {

  /** The label value for values beyond the cap. */
  public static final String OTHER = "other";

  /** The label value for rows where the capture could not be read. */
  public static final String UNREADABLE = "unreadable";

  /** Hard upper bound on {@code maxValues}, whatever the spec says. */
  public static final int MAX_VALUES_LIMIT = 1000;

  /**
   * Label names the metrics use themselves (as {@code SpecChecks.RESERVED_LABELS} in the api
   * module, which checks specs before they get here).
   */
  public static final Set<String> RESERVED =
      Set.of("tracepoint", "reason", "namespace", "pod", "node");

  public LabelSpec {
    if (capture == null || !capture.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException(
          "label capture name must be an identifier ([A-Za-z_][A-Za-z0-9_]*), got '"
              + capture
              + "'");
    }
    if (RESERVED.contains(capture) || capture.startsWith("__")) {
      throw new IllegalArgumentException(
          "label name '"
              + capture
              + "' is reserved (dynlog's metrics use "
              + RESERVED.stream().sorted().toList()
              + "); rename the capture");
    }
    if (maxValues < 1 || maxValues > MAX_VALUES_LIMIT) {
      throw new IllegalArgumentException(
          "label '"
              + capture
              + "': maxValues must be between 1 and "
              + MAX_VALUES_LIMIT
              + ", got "
              + maxValues);
    }
  }
}
