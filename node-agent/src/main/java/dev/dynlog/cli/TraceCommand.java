package dev.dynlog.cli;

import dev.dynlog.agent.StandaloneTracepoint;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.Limits;
import dev.dynlog.api.v1alpha1.MetricLabel;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import dev.dynlog.api.v1alpha1.SpecChecks;
import dev.dynlog.api.v1alpha1.SpecProblem;
import dev.dynlog.api.v1alpha1.TracepointSpec;
import dev.dynlog.api.v1alpha1.Ttl;
import dev.dynlog.query.BadQueryException;
import dev.dynlog.query.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
      description =
          "Detach after this long, "
              + Ttl.MIN_TEXT
              + " to "
              + Ttl.MAX_TEXT
              + " as a Tracepoint's ttl, e.g. 30s, 10m (default: until Ctrl-C).")
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

  @Option(
      names = "--no-redact",
      description =
          "Read and show every captured value, also those whose names are on the redaction list (password, token, apiKey, ...); prints a warning. By default such values are never read and show as \"[redacted]\".")
  boolean noRedact;

  @Mixin StoreOptions store;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return Sessions.run(List.of(tracepoint()), http, store, output, spec, noRedact);
  }

  /** The options as a standalone tracepoint, every option checked first. */
  StandaloneTracepoint tracepoint() {
    if (target.executable == null && target.pid <= 0) {
      throw new IllegalArgumentException("--pid must be a positive process id, not " + target.pid);
    }
    Duration ttl = duration();
    ProbeSpec probe = probe();
    return new StandaloneTracepoint(
        name,
        target.executable == null ? target.pid : -1,
        target.executable == null ? null : target.executable.toAbsolutePath(),
        probe,
        ttl,
        true);
  }

  /**
   * {@code --duration} within a Tracepoint's ttl bounds ({@link Ttl#MIN} to {@link Ttl#MAX}), or
   * null without it; {@code 0} is a duration too (zero, so out of bounds), as in Go.
   */
  Duration duration() {
    if (duration == null) return null;
    String text = duration.trim();
    Duration d;
    try {
      d =
          text.equals("0")
              ? Duration.ZERO
              : Duration.ofNanos(Durations.parseNanos(text, "--duration"));
    } catch (BadQueryException e) {
      if (!DURATION.matcher(text).matches()) throw new IllegalArgumentException(e.getMessage());
      d = null; // well formed but beyond any bound
    }
    if (d == null || d.compareTo(Ttl.MIN) < 0 || d.compareTo(Ttl.MAX) > 0) {
      throw new IllegalArgumentException(
          "--duration must be from "
              + Ttl.MIN_TEXT
              + " to "
              + Ttl.MAX_TEXT
              + " (a Tracepoint's ttl), not "
              + text);
    }
    return d;
  }

  /** Most characters of a value a message repeats. */
  static final int EXCERPT = 60;

  /** A value as a message repeats it: whole when short, else its start and its length. */
  static String excerpt(String value) {
    if (value.length() <= EXCERPT) return value;
    return value.substring(0, EXCERPT - 1) + "…(" + value.length() + " characters)";
  }

  /** A duration's form, whatever its size. */
  private static final Pattern DURATION =
      Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s|m|h|d))+");

  /**
   * The options as a Tracepoint spec, checked as the operator and {@code dynlog run} check one;
   * only an unlimited rate ({@code --max-events-per-second 0}) goes beyond the spec's bounds.
   */
  ProbeSpec probe() {
    requireNames(captures, "--capture");
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
      throw new IllegalArgumentException(inOptionWords(problems, "--capture", captures, labels));
    }
    ProbeSpec probe = ProbeSpec.of(s);
    if (maxEventsPerSecond == 0) probe.getLimits().setMaxEventsPerSecond(0);
    return probe;
  }

  /**
   * Fails on a capture given without a name where its expression is not an identifier either
   * ({@code --capture req.User}), or given empty.
   *
   * @param option {@code --capture}, or inspect's {@code --expr}
   */
  static void requireNames(List<String> given, String option) {
    for (String c : given) {
      if (c.isBlank()) {
        throw new IllegalArgumentException(
            option + " needs NAME=EXPR, e.g. " + option + " user=req.User.Name");
      }
      if (c.indexOf('=') <= 0 && !c.trim().matches(Capture.NAME_REGEX)) {
        throw new IllegalArgumentException(
            option
                + " "
                + excerpt(c)
                + ": name it, e.g. "
                + option
                + " v="
                + excerpt(c.trim())
                + " (a capture's name is an identifier; a bare EXPR is named after itself only when it is one)");
      }
    }
  }

  /**
   * Spec problems as one line in the command line's words: each spec field becomes the option that
   * sets it ({@code spec.capture[1] (n)} → {@code --capture n=x}, {@code
   * spec.metricLabels[0].maxValues} → {@code --label n:0: MAX}); a problem said twice is said once.
   *
   * @param captureOption the option that gives captures ({@code --capture}, or inspect's {@code
   *     --expr})
   */
  static String inOptionWords(
      List<SpecProblem> problems,
      String captureOption,
      List<String> captures,
      List<String> labels) {
    return problems.stream()
        .map(p -> inOptionWords(p.message(), captureOption, captures, labels))
        .distinct()
        .collect(Collectors.joining("; "));
  }

  private static String inOptionWords(
      String message, String captureOption, List<String> captures, List<String> labels) {
    Matcher m = INDEXED.matcher(message);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      int i = Integer.parseInt(m.group(2));
      boolean capture = m.group(1).equals("capture");
      String given =
          capture
              ? captureOption + " " + excerpt(captures.get(i))
              : "--label " + excerpt(labels.get(i));
      String part = m.group(4);
      if (part != null) given += ": " + PARTS.getOrDefault(part, part);
      m.appendReplacement(sb, Matcher.quoteReplacement(given));
    }
    m.appendTail(sb);
    return COUNTED
        .matcher(sb.toString())
        .replaceAll(
            r ->
                (r.group(1).equals("capture") ? captureOption : "--label")
                    + " is given "
                    + r.group(2)
                    + " times")
        .replace("spec.limits.maxEventsPerSecond", "--max-events-per-second")
        .replace("spec.limits.maxStringBytes", "--max-string-bytes")
        .replace("spec.limits.maxCollectionElements", "--max-collection-elements")
        .replace("spec.limits.sampleRatio", "--sample")
        .replace("spec.function", "FUNCTION");
  }

  /**
   * {@code spec.capture[2] (name)}, {@code spec.metricLabels[0]} or {@code
   * spec.metricLabels[0].maxValues} in a message.
   */
  private static final Pattern INDEXED =
      Pattern.compile(
          "spec\\.(capture|metricLabels)\\[(\\d+)\\]( \\([^)]*\\))?(?:\\.(name|expr|capture|maxValues))?");

  /** The part of a capture or label option a spec field is. */
  private static final Map<String, String> PARTS =
      Map.of("name", "NAME", "expr", "EXPR", "capture", "CAPTURE", "maxValues", "MAX");

  /** {@code spec.capture has 17 entries} in a message. */
  private static final Pattern COUNTED =
      Pattern.compile("spec\\.(capture|metricLabels) has (\\d+) entries");

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
