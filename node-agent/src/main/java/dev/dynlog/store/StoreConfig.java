package dev.dynlog.store;

import java.time.Duration;

/**
 * Bounds of the per-tracepoint row buffers.
 *
 * @param maxRows rows kept per tracepoint; older rows are evicted first
 * @param maxBytes estimated bytes kept per tracepoint (rows plus buffer slots); see {@link
 *     RowSizer}
 * @param retention how long a stopped or expired tracepoint's rows stay queryable
 */
public record StoreConfig(int maxRows, long maxBytes, Duration retention) {

  /** 100,000 rows, 64 MiB and 15 minutes per tracepoint. */
  public static final StoreConfig DEFAULT =
      new StoreConfig(100_000, 64L << 20, Duration.ofMinutes(15));

  public StoreConfig {
    if (maxRows < 1)
      throw new IllegalArgumentException("maxRows must be at least 1, got " + maxRows);
    if (maxBytes < RowBuffer.MIN_BYTES) {
      throw new IllegalArgumentException(
          "maxBytes must be at least " + RowBuffer.MIN_BYTES + ", got " + maxBytes);
    }
    if (retention == null || retention.isNegative()) {
      throw new IllegalArgumentException("retention must be zero or positive, got " + retention);
    }
  }
}
