package dev.dynlog.store;

import java.time.Duration;

/**
 * Bounds of the row buffers: per tracepoint, and for all tracepoints together.
 *
 * @param maxRows rows kept per tracepoint; older rows are evicted first
 * @param maxBytes estimated bytes kept per tracepoint (rows plus buffer slots); see {@link
 *     RowSizer}
 * @param totalBytes estimated bytes kept by all tracepoints' buffers together, stopped ones within
 *     their retention included; when an append goes above it, the buffer holding the most gives up
 *     its oldest rows ({@link StoreBudget}). A buffer's own bound is never above it.
 * @param retention how long a stopped or expired tracepoint's rows stay queryable
 */
public record StoreConfig(int maxRows, long maxBytes, long totalBytes, Duration retention) {

  /** Bytes of all buffers together when not configured: 256 MiB. */
  public static final long DEFAULT_TOTAL_BYTES = 256L << 20;

  /** The share of the JVM's maximum heap that the rows may take by default: 40%. */
  public static final double HEAP_SHARE = 0.4;

  /**
   * The total when not configured: {@link #DEFAULT_TOTAL_BYTES}, or {@link #HEAP_SHARE} of the
   * JVM's maximum heap if that is less (e.g. an agent given {@code -Xmx128m}, or a container-sized
   * heap), so that full buffers never exhaust the heap; at least {@link #MIN_TOTAL_BYTES}.
   */
  public static long defaultTotalBytes(long maxHeapBytes) {
    return Math.max(
        MIN_TOTAL_BYTES, Math.min(DEFAULT_TOTAL_BYTES, (long) (maxHeapBytes * HEAP_SHARE)));
  }

  /**
   * The smallest total: 1 MiB, so that even 512 tracepoints' empty buffers (about 1 KiB each) fit.
   */
  public static final long MIN_TOTAL_BYTES = 1L << 20;

  /** 100,000 rows and 64 MiB per tracepoint, 256 MiB in all, kept 15 minutes after stopping. */
  public static final StoreConfig DEFAULT =
      new StoreConfig(100_000, 64L << 20, DEFAULT_TOTAL_BYTES, Duration.ofMinutes(15));

  /** Per-tracepoint bounds with the default total ({@link #DEFAULT_TOTAL_BYTES}). */
  public StoreConfig(int maxRows, long maxBytes, Duration retention) {
    this(maxRows, maxBytes, DEFAULT_TOTAL_BYTES, retention);
  }

  public StoreConfig {
    if (maxRows < 1)
      throw new IllegalArgumentException("maxRows must be at least 1, got " + maxRows);
    if (maxBytes < RowBuffer.MIN_BYTES) {
      throw new IllegalArgumentException(
          "maxBytes must be at least " + RowBuffer.MIN_BYTES + ", got " + maxBytes);
    }
    if (totalBytes < MIN_TOTAL_BYTES) {
      throw new IllegalArgumentException(
          "totalBytes must be at least " + MIN_TOTAL_BYTES + ", got " + totalBytes);
    }
    if (retention == null || retention.isNegative()) {
      throw new IllegalArgumentException("retention must be zero or positive, got " + retention);
    }
  }

  /** The bound of one tracepoint's buffer: its own, but never more than the total. */
  public long bufferBytes() {
    return Math.min(maxBytes, totalBytes);
  }
}
