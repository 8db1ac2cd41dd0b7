package dev.dynlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dynlog.api.v1alpha1.Limits;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code dynlog trace}'s options become a Tracepoint spec, checked as one, in the options' words.
 */
class TraceCommandTest {

  private static ProbeSpec probe(String... args) {
    TraceCommand t = new TraceCommand();
    new CommandLine(t).parseArgs(args);
    return t.probe();
  }

  private static String error(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> probe(args)).getMessage();
  }

  @Test
  void defaultsAreTheSpecsExceptAnUnlimitedRate() {
    ProbeSpec p = probe("--pid", "1", "main.F", "--capture", "user=req.User", "--capture", "n");
    assertEquals(0, p.getLimits().getMaxEventsPerSecond(), "unlimited unless given");
    assertEquals(Limits.DEFAULT_MAX_STRING_BYTES, p.getLimits().getMaxStringBytes());
    assertEquals(Limits.DEFAULT_MAX_COLLECTION_ELEMENTS, p.getLimits().getMaxCollectionElements());
    assertEquals("user", p.getCapture().get(0).getName());
    assertEquals("n", p.getCapture().get(1).getName());
  }

  @Test
  void problemsNameTheOptions() {
    assertEquals(
        "--capture x=l..Units: expected field name after '.' but found '.' at column 3 of 'l..Units'",
        error("--pid", "1", "main.F", "--capture", "x=l..Units"));
    assertEquals(
        "--max-string-bytes must be from 1 to 512, not 600",
        error("--pid", "1", "main.F", "--max-string-bytes", "600"));
    assertEquals(
        "--sample must be in (0, 1], not 2.0", error("--pid", "1", "main.F", "--sample", "2"));
    assertEquals(
        "--label v: 'v' is not a capture; captures are [n]",
        error("--pid", "1", "main.F", "--capture", "n", "--label", "v"));
    assertEquals(
        "--capture req.User: name it, e.g. --capture v=req.User (a capture's name is an identifier;"
            + " a bare EXPR is named after itself only when it is one)",
        error("--pid", "1", "main.F", "--capture", "req.User"));
  }
}
