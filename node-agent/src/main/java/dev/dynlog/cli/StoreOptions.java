package dev.dynlog.cli;

import dev.dynlog.query.Durations;
import dev.dynlog.store.RowBuffer;
import dev.dynlog.store.StoreConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Bounds of the in-memory row buffers that {@code --http} queries read (shared by trace and run):
 * per tracepoint, and for all tracepoints together.
 */
final class StoreOptions {

  @Option(
      names = "--buffer-rows",
      paramLabel = "N",
      description = "Rows kept per tracepoint at most (default 100000).")
  Integer rows;

  @Option(
      names = "--buffer-bytes",
      paramLabel = "BYTES",
      description = "Bytes of rows kept per tracepoint at most (default 64 MiB).")
  Long bytes;

  @Option(
      names = "--buffer-total-bytes",
      paramLabel = "BYTES",
      description =
          "Bytes of rows kept by all tracepoints together at most (default 256 MiB, or 40% of"
              + " the JVM's maximum heap if less; at least 1 MiB); when full, the tracepoint holding"
              + " the most gives up its oldest rows.")
  Long totalBytes;

  @Option(
      names = "--retention",
      paramLabel = "DURATION",
      description = "How long a stopped tracepoint's rows stay queryable (default 15m).")
  String retention;

  @Option(
      names = "--linger",
      paramLabel = "DURATION",
      description = "With --http: keep serving queries this long after tracing stops (default 0).")
  String linger;

  Duration lingerDuration() {
    return linger == null
        ? Duration.ZERO
        : Duration.ofNanos(Durations.parseNanos(linger, "--linger"));
  }

  /**
   * The bounds, checked in the options' words.
   *
   * @throws IllegalArgumentException naming the option and its bound
   */
  StoreConfig config() {
    StoreConfig d = StoreConfig.DEFAULT;
    if (rows != null && rows < 1)
      throw new IllegalArgumentException("--buffer-rows must be at least 1, got " + rows);
    if (bytes != null && bytes < RowBuffer.MIN_BYTES) {
      throw new IllegalArgumentException(
          "--buffer-bytes must be at least " + RowBuffer.MIN_BYTES + " (64 KiB), got " + bytes);
    }
    if (totalBytes != null && totalBytes < StoreConfig.MIN_TOTAL_BYTES) {
      throw new IllegalArgumentException(
          "--buffer-total-bytes must be at least "
              + StoreConfig.MIN_TOTAL_BYTES
              + " (1 MiB), got "
              + totalBytes);
    }
    Duration keep =
        retention == null
            ? d.retention()
            : Duration.ofNanos(Durations.parseNanos(retention, "--retention"));
    return new StoreConfig(
        rows == null ? d.maxRows() : rows,
        bytes == null ? d.maxBytes() : bytes,
        totalBytes == null
            ? StoreConfig.defaultTotalBytes(Runtime.getRuntime().maxMemory())
            : totalBytes,
        keep);
  }
}
