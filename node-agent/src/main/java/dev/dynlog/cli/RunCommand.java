package dev.dynlog.cli;

import dev.dynlog.agent.SpecFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dynlog run -f tracepoint.yaml}: runs the tracepoints of a spec file. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run the tracepoints of a YAML file written in the Tracepoint custom resource's spec format,",
      "with target {pid: N} or {executable: PATH} instead of a pod selector. Each one detaches when",
      "its ttl elapses; Ctrl-C detaches all."
    })
public final class RunCommand implements Callable<Integer> {

  @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The tracepoint spec file (one or more YAML documents).")
  Path file;

  @Option(names = "--output", paramLabel = "table|jsonl", description = "Output format (default: ${DEFAULT-VALUE}).", defaultValue = "table")
  TraceOutput.Format output;

  @Option(names = "--http", paramLabel = "ADDR", description = "Serve /metrics and the query API (/api/v1) on ADDR, e.g. :9464.")
  String http;

  @picocli.CommandLine.Mixin StoreOptions store;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return TraceCommand.runSession(SpecFile.read(file), http, store, output, spec);
  }
}
