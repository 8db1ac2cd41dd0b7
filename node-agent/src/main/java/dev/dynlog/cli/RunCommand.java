package dev.dynlog.cli;

import dev.dynlog.agent.SpecFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dynlog run -f tracepoint.yaml}: runs the tracepoints of a spec file. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run the tracepoints of a YAML file: Tracepoint resources (or their bare specs), with the same",
      "fields, defaults and bounds as in a cluster, but with target {pid: N} or {executable: PATH}",
      "instead of a pod selector. Each one detaches when its ttl (default 1h) elapses; Ctrl-C",
      "detaches all."
    })
public final class RunCommand implements Callable<Integer> {

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "The tracepoint spec file (one or more YAML documents).")
  Path file;

  @Option(
      names = "--output",
      paramLabel = "table|jsonl",
      description = "Output format (default: ${DEFAULT-VALUE}).",
      defaultValue = "table")
  TraceOutput.Format output;

  @Option(
      names = "--http",
      paramLabel = "ADDR",
      description =
          "Serve /metrics, /healthz and the query API (/api/v1) on ADDR, HOST:PORT or [IPv6]:PORT; a port alone (:9464) listens on 127.0.0.1 only, 0.0.0.0:PORT or [::]:PORT on every interface.")
  String http;

  @Option(
      names = "--no-redact",
      description =
          "Read and show every captured value, also those whose names are on the redaction list (password, token, apiKey, ...); prints a warning. By default such values are never read and show as \"[redacted]\".")
  boolean noRedact;

  @Mixin StoreOptions store;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return Sessions.run(SpecFile.read(file), http, store, output, spec, noRedact);
  }
}
