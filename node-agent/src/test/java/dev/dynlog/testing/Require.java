package dev.dynlog.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks a test's real prerequisites (root, tools, kernel files) and fails the test with a clear
 * message when one is missing. Tests never skip: CI runs as root with everything that
 * {@code scripts/install-deps.sh} installs, and a missing capability must show as a failure.
 */
public final class Require {
  private Require() {}

  /** The test runs as root (effective uid 0), as uprobes and BPF need. */
  public static void root() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          String effective = line.split("\\s+")[2];
          if (!effective.equals("0")) {
            fail("this test needs root (uprobes/BPF); effective uid is " + effective);
          }
          return;
        }
      }
      fail("no Uid line in /proc/self/status");
    } catch (IOException e) {
      fail("cannot read /proc/self/status to check for root: " + e);
    }
  }

  /** One of the named tools is installed; returns its path. */
  public static Path tool(String... candidates) {
    try {
      return Tools.find(candidates);
    } catch (MissingToolException e) {
      return fail(e.getMessage());
    }
  }

  /** A file the test needs exists, e.g. {@code /sys/kernel/btf/vmlinux}; {@code why} says what for. */
  public static Path file(Path path, String why) {
    if (!Files.exists(path)) {
      fail(path + " is missing; it is needed for " + why);
    }
    return path;
  }
}
