package dev.dynlog.e2e;

import dev.dynlog.testing.Require;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged {@code dynlog} jar as a separate process, the way a user runs {@code
 * bin/dynlog}: stdout (rows) goes to a file, stderr (progress, errors) to another, both readable
 * while it runs.
 */
final class DynlogCli implements AutoCloseable {

  /** The shaded jar built by {@code mvn package}; failsafe runs after it. */
  static Path jar() {
    Path jar = Path.of(System.getProperty("dynlog.jar", "target/dynlog.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "no dynlog jar at "
              + jar.toAbsolutePath()
              + ": run the integration tests with `mvn verify`");
    }
    return jar;
  }

  final Process process;
  final Path stdout;
  final Path stderr;

  private DynlogCli(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  static DynlogCli start(Path workDir, String... args) throws IOException {
    List<String> cmd =
        new ArrayList<>(List.of(javaBinary(), "-jar", jar().toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    return start(workDir, cmd);
  }

  static DynlogCli start(Path workDir, List<String> cmd) throws IOException {
    Require.root();
    Path out = Files.createTempFile(workDir, "dynlog", ".out");
    Path err = Files.createTempFile(workDir, "dynlog", ".err");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    return new DynlogCli(p, out, err);
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  String stderrText() {
    try {
      return Files.readString(stderr);
    } catch (IOException e) {
      return "<unreadable: " + e + ">";
    }
  }

  List<String> stdoutLines() throws IOException {
    return Files.readAllLines(stdout);
  }

  /**
   * Waits until stderr contains {@code count} lines containing {@code marker}, or fails with its
   * stderr.
   */
  void awaitStderr(String marker, int count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String err = stderrText();
      if (err.lines().filter(l -> l.contains(marker)).count() >= count) return;
      if (!process.isAlive()) {
        throw new AssertionError(
            "dynlog exited with "
                + process.exitValue()
                + " before '"
                + marker
                + "'; stderr:\n"
                + err);
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "dynlog printed no '"
            + marker
            + "' x"
            + count
            + " within "
            + timeout
            + "; stderr:\n"
            + stderrText());
  }

  int await(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
      throw new AssertionError(
          "dynlog did not exit within " + timeout + "; stderr:\n" + stderrText());
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
