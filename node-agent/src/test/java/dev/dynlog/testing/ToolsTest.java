package dev.dynlog.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Missing tools and failing builds give errors that say what failed and what to do. */
class ToolsTest {
  @Test
  void aMissingToolNamesEveryCandidateAndTheInstallScript() {
    MissingToolException e =
        assertThrows(
            MissingToolException.class,
            () -> Tools.find("dynlog-no-such-compiler-14", "dynlog-no-such-compiler"));
    assertTrue(
        e.getMessage().contains("dynlog-no-such-compiler-14, dynlog-no-such-compiler"),
        e.getMessage());
    assertTrue(e.getMessage().contains("scripts/install-deps.sh"), e.getMessage());
  }

  @Test
  void theFirstInstalledCandidateWins() {
    assertEquals(Path.of("/bin/sh"), Tools.find("dynlog-no-such-tool", "/bin/sh"));
  }

  @Test
  void aFailingCommandReportsItsStatusCommandLineAndOutput() {
    BuildException e =
        assertThrows(
            BuildException.class,
            () ->
                Tools.run(
                    "compiling",
                    List.of("/bin/sh", "-c", "echo 'shop.cpp:3: error: expected ;' >&2; exit 3"),
                    null,
                    Map.of("X", "1"),
                    Duration.ofSeconds(30)));
    assertTrue(
        e.getMessage().startsWith("compiling: exit status 3 from `/bin/sh -c"), e.getMessage());
    assertTrue(e.getMessage().contains("shop.cpp:3: error: expected ;"), e.getMessage());
    assertTrue(e.getMessage().contains("{X=1}"), e.getMessage());
  }

  @Test
  void aHangingCommandIsStoppedAtItsTimeout() {
    long start = System.nanoTime();
    BuildException e =
        assertThrows(
            BuildException.class,
            () ->
                Tools.run(
                    "waiting",
                    List.of("/bin/sleep", "30"),
                    null,
                    Map.of(),
                    Duration.ofMillis(300)));
    assertTrue(e.getMessage().contains("timed out after PT0.3S"), e.getMessage());
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "returned promptly");
  }

  @Test
  void malformedTargetOutputIsRejectedWithTheLine() {
    IllegalStateException notJson =
        assertThrows(
            IllegalStateException.class,
            () ->
                TargetOutput.parse(
                    0, List.of("{\"fn\":\"f\",\"args\":{},\"results\":{}}", "oops"), ""));
    assertTrue(notJson.getMessage().contains("line 2 is not JSON: oops"), notJson.getMessage());
    IllegalStateException noSummary =
        assertThrows(
            IllegalStateException.class,
            () ->
                TargetOutput.parse(
                    1, List.of("{\"fn\":\"f\",\"args\":{},\"results\":{}}"), "boom"));
    assertTrue(
        noSummary.getMessage().contains("no summary line (exit status 1"), noSummary.getMessage());
    IllegalStateException noResults =
        assertThrows(
            IllegalStateException.class,
            () -> TargetOutput.parse(0, List.of("{\"fn\":\"f\",\"args\":{}}"), ""));
    assertTrue(
        noResults.getMessage().contains("neither \"results\" nor \"panic\""),
        noResults.getMessage());
  }
}
