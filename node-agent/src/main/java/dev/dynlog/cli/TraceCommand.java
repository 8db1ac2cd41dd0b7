package dev.dynlog.cli;

import dev.dynlog.agent.StandaloneSession;
import dev.dynlog.agent.TracepointRequest;
import dev.dynlog.http.HttpAddress;
import dev.dynlog.plan.Capture;
import dev.dynlog.query.Durations;
import dev.dynlog.store.LabelSpec;
import dev.dynlog.store.StoreConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dynlog trace}: captures arguments, results and latency of every call to a function. */
@Command(
    name = "trace",
    mixinStandardHelpOptions = true,
    description = {
      "Capture the arguments, results and latency of every call to FUNCTION in a running process,",
      "without stopping or restarting it. Rows appear as calls happen; Ctrl-C detaches."
    })
public final class TraceCommand implements Callable<Integer> {

  static final class TargetOptions {
    @Option(names = "--pid", description = "Trace this process only.")
    int pid;

    @Option(names = "--executable", paramLabel = "PATH", description = "Trace every process of this binary, including ones started later.")
    Path executable;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  TargetOptions target;

  @Parameters(index = "0", paramLabel = "FUNCTION", description = "Qualified function name, e.g. main.(*Server).Login or ns::Cart::add.")
  String function;

  @Option(names = "--capture", paramLabel = "NAME=EXPR", description = "A value to capture (repeatable): a parameter, a.b.c, *p, $0 (first result), len(s), x[2].")
  List<String> captures = new ArrayList<>();

  @Option(names = "--latency", description = "Measure each call's latency.")
  boolean latency;

  @Option(names = "--name", description = "Name of this trace in rows, metrics and queries (default: the function name).")
  String name;

  @Option(names = "--duration", paramLabel = "DURATION", description = "Detach after this long, e.g. 30s, 10m (default: until Ctrl-C).")
  String duration;

  @Option(names = "--output", paramLabel = "table|jsonl", description = "Output format (default: ${DEFAULT-VALUE}).", defaultValue = "table")
  TraceOutput.Format output;

  @Option(names = "--max-events-per-second", paramLabel = "N", description = "Emit at most N rows per second (calls are still counted exactly); 0 = unlimited.")
  long maxEventsPerSecond;

  @Option(names = "--sample", paramLabel = "RATIO", description = "Emit rows for this fraction of calls, (0, 1] (default 1).", defaultValue = "1")
  double sample;

  @Option(names = "--max-string-bytes", paramLabel = "N", description = "Bytes copied at most per string (default ${DEFAULT-VALUE}).", defaultValue = "128")
  int maxStringBytes;

  @Option(names = "--http", paramLabel = "ADDR", description = "Serve /metrics and the query API (/api/v1) on ADDR, e.g. :9464 or 127.0.0.1:9464.")
  String http;

  @Option(names = "--label", paramLabel = "CAPTURE[:MAX]", description = "Count rows per value of this capture in dynlog_rows_total (repeatable); at most MAX values (default 20), later ones count as \"other\".")
  List<String> labels = new ArrayList<>();

  @picocli.CommandLine.Mixin StoreOptions store;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Duration ttl = null;
    if (duration != null) ttl = Duration.ofNanos(Durations.parseNanos(duration, "--duration"));
    List<Capture> caps = captures.stream().map(Capture::parse).toList();
    TracepointRequest request = new TracepointRequest(name, target.executable == null ? target.pid : -1,
        target.executable == null ? null : target.executable.toAbsolutePath(), function, caps, latency, ttl,
        maxEventsPerSecond, sample, maxStringBytes, labels.stream().map(TraceCommand::label).toList());
    return runSession(List.of(request), http, store, output, spec);
  }

  private static LabelSpec label(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) return new LabelSpec(text, 20);
    try {
      return new LabelSpec(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--label " + text + ": MAX must be a number");
    }
  }

  /** Runs a session and maps its outcome to an exit status; shared with {@code dynlog run}. */
  static int runSession(List<TracepointRequest> requests, String http, StoreOptions store, TraceOutput.Format format,
      picocli.CommandLine.Model.CommandSpec spec) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    TraceOutput printer = new TraceOutput(format, out);
    StandaloneSession session = new StandaloneSession(requests, http == null ? null : HttpAddress.parse(http),
        store.config(), store.lingerDuration(), System.err);
    session.run(printer, printer::start);
    out.flush();
    return 0;
  }
}
