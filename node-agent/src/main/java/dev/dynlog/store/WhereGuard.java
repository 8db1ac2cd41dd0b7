package dev.dynlog.store;

import java.util.List;

/**
 * Decides whether a query may filter on a part of a tracepoint's captured values: a {@code where}
 * on a redacted value is refused, since the answer would tell the value apart. The node agent and
 * {@code dynlog trace} give each tracepoint the guard of their redaction list ({@code
 * agent.RedactionGuard}); a tracepoint traced with {@code --no-redact} gets {@link #NONE}.
 */
@FunctionalInterface
public interface WhereGuard {

  /** Refuses nothing. */
  WhereGuard NONE = path -> null;

  /**
   * Why a filter on {@code path} is refused, or null when it is allowed.
   *
   * @param path the capture name, then the steps into it ({@code creds}, {@code Token})
   */
  String refusal(List<String> path);
}
