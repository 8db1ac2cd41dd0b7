package dev.dynlog.cli;

import dev.dynlog.query.Durations;
import dev.dynlog.store.StoreConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Bounds of the in-memory row buffer that {@code --http} queries read (shared by trace and run).
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

  StoreConfig config() {
    StoreConfig d = StoreConfig.DEFAULT;
    Duration keep =
        retention == null
            ? d.retention()
            : Duration.ofNanos(Durations.parseNanos(retention, "--retention"));
    return new StoreConfig(
        rows == null ? d.maxRows() : rows, bytes == null ? d.maxBytes() : bytes, keep);
  }
}
