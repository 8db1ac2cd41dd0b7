package dev.dynlog.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Finds external tools on the PATH and runs them, failing with clear messages. */
public final class Tools {
  private static final String INSTALL_HINT =
      "; run scripts/install-deps.sh (as root) to install the test dependencies";
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);

  private Tools() {}

  /**
   * Returns the first of {@code candidates} found on the PATH (or given as an absolute path).
   *
   * @throws MissingToolException when none is installed
   */
  public static Path find(String... candidates) {
    Path found = locate(candidates);
    // the shell utilities of /bin are there on every machine; anything else is a toolchain
    if (!found.startsWith("/bin/")) Require.notQuick("the tool " + found, "toolchain");
    return found;
  }

  private static Path locate(String... candidates) {
    String pathEnv = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (String candidate : candidates) {
      if (candidate.startsWith("/")) {
        Path p = Path.of(candidate);
        if (Files.isExecutable(p)) {
          return p;
        }
        continue;
      }
      for (String dir :
          (pathEnv + ":/usr/local/go/bin:/usr/sbin:/sbin").split(File.pathSeparator)) {
        Path p = Path.of(dir.isEmpty() ? "." : dir, candidate);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new MissingToolException(
        "none of " + List.of(candidates) + " is installed" + INSTALL_HINT);
  }

  /**
   * Runs an installed tool, {@code command[0]} found by {@link #find}, with the rest of {@code
   * command} as its arguments, and returns its combined stdout and stderr.
   *
   * @throws MissingToolException when the tool is not installed
   * @throws BuildException when it exits non-zero or runs longer than five minutes
   */
  public static String run(String... command) {
    List<String> cmd = new ArrayList<>(List.of(command));
    cmd.set(0, find(command[0]).toString());
    return run("running " + command[0], cmd, null, Map.of(), RUN_TIMEOUT);
  }

  /**
   * Runs a command to completion and returns its combined stdout and stderr.
   *
   * @param what what the command does, for the error message
   * @throws BuildException when it exits non-zero or runs longer than {@code timeout}
   */
  public static String run(
      String what, List<String> command, Path dir, Map<String, String> env, Duration timeout) {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    pb.environment().putAll(env);
    Path log = null;
    try {
      log = Files.createTempFile("dynlog-tool", ".log");
      pb.redirectOutput(log.toFile());
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new BuildException(
            what
                + ": timed out after "
                + timeout
                + ": "
                + String.join(" ", command)
                + "\n"
                + Files.readString(log, StandardCharsets.UTF_8));
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new BuildException(
            what
                + ": exit status "
                + p.exitValue()
                + " from `"
                + String.join(" ", command)
                + "`"
                + (env.isEmpty() ? "" : " with " + env)
                + (dir == null ? "" : " in " + dir)
                + ":\n"
                + out);
      }
      return out;
    } catch (IOException e) {
      throw new BuildException(
          what + ": cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BuildException(what + ": interrupted", e);
    } finally {
      if (log != null) {
        try {
          Files.deleteIfExists(log);
        } catch (IOException ignored) {
          // best effort cleanup of a temp file
        }
      }
    }
  }
}
