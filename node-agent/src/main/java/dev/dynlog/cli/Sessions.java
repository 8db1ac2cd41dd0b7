package dev.dynlog.cli;

import dev.dynlog.agent.StandaloneSession;
import dev.dynlog.agent.StandaloneTracepoint;
import dev.dynlog.api.redact.Redaction;
import dev.dynlog.http.AgentHttpServer;
import dev.dynlog.http.HttpAddress;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.store.TracepointRegistry;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Wires a standalone session for {@code dynlog trace} and {@code dynlog run}: the row printer, the
 * store, and with {@code --http} the metrics and query server over that store.
 */
final class Sessions {
  private Sessions() {}

  /** The warning {@code --no-redact} prints on stderr before anything is traced. */
  static final String NO_REDACT_WARNING =
      "dynlog: WARNING: --no-redact: redaction is OFF. Passwords, tokens, keys, card numbers and"
          + " other values whose names are on the redaction list will be read from the target and"
          + " shown, stored and served as they are.";

  /**
   * Runs the tracepoints to their end; returns the session's exit status. With {@code noRedact}
   * every value is read (a warning on stderr says so), else the built-in redaction list applies.
   */
  static int run(
      List<StandaloneTracepoint> tracepoints,
      String http,
      StoreOptions store,
      TraceOutput.Format format,
      CommandSpec spec,
      boolean noRedact)
      throws Exception {
    if (noRedact) {
      System.err.println(NO_REDACT_WARNING);
      tracepoints = tracepoints.stream().map(t -> t.withRedaction(Redaction.none())).toList();
    }
    PrintWriter out = spec.commandLine().getOut();
    TraceOutput printer = new TraceOutput(format, out);
    TracepointRegistry registry = new TracepointRegistry(store.config());
    Duration linger = http == null ? Duration.ZERO : store.lingerDuration();
    DynlogMetrics metrics = null;
    AgentHttpServer server = null;
    try {
      if (http != null) {
        metrics = new DynlogMetrics(registry);
        server = AgentHttpServer.start(HttpAddress.parse(http), registry, metrics);
        System.err.println("dynlog: serving /metrics and /api/v1 on " + server.baseUri());
      }
      StandaloneSession.Outcome outcome =
          new StandaloneSession(tracepoints, registry, linger, System.err)
              .run(printer, printer::start);
      out.flush();
      return outcome.exitStatus();
    } finally {
      if (server != null) server.close();
      if (metrics != null) metrics.close();
    }
  }
}
