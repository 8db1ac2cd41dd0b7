package dev.dynlog.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks a test's real prerequisites (root, tools, kernel files) and fails the test with a clear
 * message when one is missing. Tests never skip: CI runs as root with everything that {@code
 * scripts/install-deps.sh} installs, and a missing capability must show as a failure.
 *
 * <p>In the quick tier ({@code mvn -Pquick test}, which sets the system property {@value #QUICK})
 * every prerequisite fails, present or not: a test that needs one belongs to a tagged tier ({@code
 * bpf}, {@code root}, {@code toolchain}, {@code apiserver}), which the quick tier excludes.
 */
public final class Require {
  /** The system property the quick tier sets to {@code true}. */
  public static final String QUICK = "dynlog.quick";

  private Require() {}

  /** True in the quick tier. */
  public static boolean quick() {
    return Boolean.getBoolean(QUICK);
  }

  /**
   * Fails in the quick tier: the test needs {@code what} (e.g. {@code root}, {@code objdump}) and
   * must carry one of {@code tags}.
   */
  public static void notQuick(String what, String tags) {
    if (quick()) {
      fail(
          "this test needs "
              + what
              + " but is in the quick tier ("
              + QUICK
              + "=true): tag it "
              + tags);
    }
  }

  /** The test runs as root (effective uid 0), as uprobes and BPF need. */
  public static void root() {
    notQuick("root", "bpf/root");
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
    notQuick(String.join(" or ", candidates), "toolchain");
    try {
      return Tools.find(candidates);
    } catch (MissingToolException e) {
      return fail(e.getMessage());
    }
  }

  /**
   * A file the test needs exists, e.g. {@code /sys/kernel/btf/vmlinux}; {@code why} says what for.
   */
  public static Path file(Path path, String why) {
    notQuick(path + " (" + why + ")", "bpf/root");
    if (!Files.exists(path)) {
      fail(path + " is missing; it is needed for " + why);
    }
    return path;
  }
}
