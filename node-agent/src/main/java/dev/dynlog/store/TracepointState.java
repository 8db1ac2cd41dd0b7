package dev.dynlog.store;

import java.util.Locale;

/** Life cycle of a tracepoint as the store sees it. */
public enum TracepointState {
  /** Probes attached, rows arriving. */
  RUNNING,
  /** Detached (duration elapsed, Ctrl-C, target exited...); rows kept for the retention period. */
  STOPPED,
  /** Detached because its TTL elapsed; rows kept for the retention period. */
  EXPIRED;

  /** Lower-case name used in JSON. */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
