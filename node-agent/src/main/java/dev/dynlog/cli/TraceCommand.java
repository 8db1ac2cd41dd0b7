package dev.dynlog.cli;

import dev.dynlog.agent.StandaloneTracepoint;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.Limits;
import dev.dynlog.api.v1alpha1.MetricLabel;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import dev.dynlog.api.v1alpha1.SpecChecks;
import dev.dynlog.api.v1alpha1.SpecProblem;
import dev.dynlog.api.v1alpha1.TracepointSpec;
import dev.dynlog.query.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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

    @Option(
        names = "--executable",
        paramLabel = "PATH",
        description = "Trace every process of this binary, including ones started later.")
    Path executable;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  TargetOptions target;

  @Parameters(
      index = "0",
      paramLabel = "FUNCTION",
      description = "Qualified function name, e.g. main.(*Server).Login or ns::Cart::add.")
  String function;

  @Option(
      names = "--capture",
      paramLabel = "NAME=EXPR",
      description =
          "A value to capture (repeatable): a parameter, a.b.c, *p, $0 (first result), len(s), x[2]; NAME is an identifier (a bare parameter name names itself).")
  List<String> captures = new ArrayList<>();

  @Option(names = "--latency", description = "Measure each call's latency.")
  boolean latency;

  @Option(
      names = "--name",
      description = "Name of this trace in rows, metrics and queries (default: the function name).")
  String name;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      description = "Detach after this long, e.g. 30s, 10m (default: until Ctrl-C).")
  String duration;

  @Option(
      names = "--output",
      paramLabel = "table|jsonl",
      description = "Output format (default: ${DEFAULT-VALUE}).",
      defaultValue = "table")
  TraceOutput.Format output;

  @Option(
      names = "--max-events-per-second",
      paramLabel = "N",
      description =
          "Emit at most N rows per second, 1.."
              + Limits.MAX_EVENTS_PER_SECOND
              + " (calls are still counted exactly); 0 = unlimited (default).")
  int maxEventsPerSecond;

  @Option(
      names = "--sample",
      paramLabel = "RATIO",
      description = "Emit rows for this fraction of calls, (0, 1] (default 1).")
  Double sample;

  @Option(
      names = "--max-string-bytes",
      paramLabel = "N",
      description =
          "Bytes copied at most per string, 1.."
              + Limits.MAX_STRING_BYTES
              + " (default "
              + Limits.DEFAULT_MAX_STRING_BYTES
              + "); longer strings are cut and marked truncated.")
  Integer maxStringBytes;

  @Option(
      names = "--max-collection-elements",
      paramLabel = "N",
      description =
          "Array elements shown at most, 0.."
              + Limits.MAX_COLLECTION_ELEMENTS
              + " (default "
              + Limits.DEFAULT_MAX_COLLECTION_ELEMENTS
              + ").")
  Integer maxCollectionElements;

  @Option(
      names = "--http",
      paramLabel = "ADDR",
      description =
          "Serve /metrics, /healthz and the query API (/api/v1) on ADDR, HOST:PORT or [IPv6]:PORT; a port alone (:9464) listens on 127.0.0.1 only, 0.0.0.0:PORT or [::]:PORT on every interface.")
  String http;

  @Option(
      names = "--label",
      paramLabel = "CAPTURE[:MAX]",
      description =
          "Count rows per value of this capture in dynlog_rows_total (repeatable); at most MAX values (default 20), later ones count as \"other\".")
  List<String> labels = new ArrayList<>();

  @Mixin StoreOptions store;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Duration ttl = null;
    if (duration != null) ttl = Duration.ofNanos(Durations.parseNanos(duration, "--duration"));
    ProbeSpec probe = probe();
    return Sessions.run(
        List.of(
            new StandaloneTracepoint(
                name,
                target.executable == null ? target.pid : -1,
                target.executable == null ? null : target.executable.toAbsolutePath(),
                probe,
                ttl)),
        http,
        store,
        output,
        spec);
  }

  /**
   * The options as a Tracepoint spec, checked as the operator and {@code dynlog run} check one;
   * only an unlimited rate ({@code --max-events-per-second 0}) goes beyond the spec's bounds.
   */
  ProbeSpec probe() {
    for (String c : captures) {
      if (c.indexOf('=') <= 0 && !c.trim().matches(Capture.NAME_REGEX)) {
        throw new IllegalArgumentException(
            "--capture "
                + c
                + ": name it, e.g. --capture v="
                + c.trim()
                + " (a capture's name is an identifier; a bare EXPR is named after itself only when it is one)");
      }
    }
    TracepointSpec s = new TracepointSpec();
    s.setFunction(function);
    s.setCapture(captures.stream().map(Capture::parse).toList());
    s.setLatency(latency);
    s.setLimits(
        new Limits(
            maxEventsPerSecond == 0 ? null : maxEventsPerSecond,
            maxStringBytes,
            maxCollectionElements,
            sample));
    s.setMetricLabels(labels.stream().map(TraceCommand::label).toList());
    List<SpecProblem> problems = SpecChecks.problems(s);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          problems.stream().map(p -> option(p.message())).collect(Collectors.joining("; ")));
    }
    ProbeSpec probe = ProbeSpec.of(s);
    if (maxEventsPerSecond == 0) probe.getLimits().setMaxEventsPerSecond(0);
    return probe;
  }

  /** A spec field in a message, as the option that sets it. */
  private String option(String message) {
    Matcher m = INDEXED.matcher(message);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      int i = Integer.parseInt(m.group(2));
      String given =
          m.group(1).equals("capture")
              ? "--capture " + captures.get(i)
              : "--label " + labels.get(i);
      m.appendReplacement(sb, Matcher.quoteReplacement(given));
    }
    m.appendTail(sb);
    return sb.toString()
        .replace("spec.limits.maxEventsPerSecond", "--max-events-per-second")
        .replace("spec.limits.maxStringBytes", "--max-string-bytes")
        .replace("spec.limits.maxCollectionElements", "--max-collection-elements")
        .replace("spec.limits.sampleRatio", "--sample")
        .replace("spec.function", "FUNCTION");
  }

  /** {@code spec.capture[2] (name)} or {@code spec.metricLabels[0]} in a message. */
  private static final Pattern INDEXED =
      Pattern.compile("spec\\.(capture|metricLabels)\\[(\\d+)\\]( \\([^)]*\\))?");

  private static MetricLabel label(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) return new MetricLabel(text, null);
    try {
      return new MetricLabel(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--label " + text + ": MAX must be a number");
    }
  }
}
