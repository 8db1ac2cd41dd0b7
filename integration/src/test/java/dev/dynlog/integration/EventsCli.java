package dev.dynlog.integration;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code dynlog events} as a user runs it: the packaged jar, a separate process with a kubeconfig,
 * its stdout (rows) and stderr (warnings, errors) in files readable while it runs.
 */
final class EventsCli implements AutoCloseable {

  final Process process;
  final Path stdout;
  final Path stderr;

  private EventsCli(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Starts {@code dynlog events ARGS...}. */
  static EventsCli start(String... args) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                AgentProcess.jar().toAbsolutePath().toString(),
                "events"));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("dynlog-events", ".out");
    Path err = Files.createTempFile("dynlog-events", ".err");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    return new EventsCli(p, out, err);
  }

  /** Runs {@code dynlog events ARGS...} to its end (at most 60 s). */
  static Result run(String... args) throws IOException, InterruptedException {
    try (EventsCli cli = start(args)) {
      return cli.await(60);
    }
  }

  /** Waits for the process to end; its exit code and output. */
  Result await(int seconds) throws IOException, InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(
          "dynlog events did not end within "
              + seconds
              + " s; stderr:\n"
              + Files.readString(stderr));
    }
    return new Result(process.exitValue(), Files.readAllLines(stdout), Files.readString(stderr));
  }

  /** The lines printed so far. */
  List<String> lines() throws IOException {
    return Files.readAllLines(stdout);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  /** How a run ended. */
  record Result(int exitCode, List<String> stdout, String stderr) {}
}
