package dev.dynlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.agent.StandaloneTracepoint;
import dev.dynlog.api.v1alpha1.Limits;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code dynlog trace}'s options become a Tracepoint spec, checked as one, in the options' words;
 * {@code --pid} and {@code --duration} are checked before anything is opened.
 */
class TraceCommandTest {

  private static TraceCommand parse(String... args) {
    TraceCommand t = new TraceCommand();
    new CommandLine(t).parseArgs(args);
    return t;
  }

  private static ProbeSpec probe(String... args) {
    return parse(args).probe();
  }

  private static String error(String... args) {
    String message =
        assertThrows(IllegalArgumentException.class, () -> parse(args).tracepoint()).getMessage();
    assertFalse(message.contains("Exception"), message);
    assertFalse(message.contains("spec."), "a spec field instead of an option: " + message);
    return message;
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

  @Test
  void theMaximumStringLengthIsCheckedAtBothEnds() {
    assertEquals(
        "--max-string-bytes must be from 1 to 512, not 100000",
        error("--pid", "1", "main.F", "--max-string-bytes", "100000"));
    assertEquals(
        "--max-string-bytes must be from 1 to 512, not 0",
        error("--pid", "1", "main.F", "--max-string-bytes", "0"));
  }

  /** Parts of a capture or label are named as the option's parts, not as the spec's fields. */
  @Test
  void partsOfCapturesAndLabelsAreTheOptionsParts() {
    assertEquals(
        "--label n:0: MAX must be from 1 to 1000, not 0",
        error("--pid", "1", "main.F", "--capture", "n", "--label", "n:0"));
    assertEquals(
        "--capture x=: EXPR is required", error("--pid", "1", "main.F", "--capture", "x="));
    assertEquals(
        "--capture needs NAME=EXPR, e.g. --capture user=req.User.Name",
        error("--pid", "1", "main.F", "--capture", ""));
    List<String> args = new ArrayList<>(List.of("--pid", "1", "main.F"));
    for (int i = 0; i < 17; i++) args.addAll(List.of("--capture", "c" + i + "=x"));
    assertEquals("--capture is given 17 times; at most 16", error(args.toArray(String[]::new)));
    assertEquals(
        "--capture n: capture names must be unique",
        error("--pid", "1", "main.F", "--capture", "n", "--capture", "n", "--capture", "n"),
        "said once");
  }

  @Test
  void thePidMustBePositive() {
    assertEquals("--pid must be a positive process id, not 0", error("--pid", "0", "main.F"));
    assertEquals("--pid must be a positive process id, not -3", error("--pid", "-3", "main.F"));
  }

  /** {@code --duration} has the bounds of a Tracepoint's ttl, whatever way it is written. */
  @Test
  void theDurationHasTheTtlsBounds() {
    for (String d : List.of("0", "0s", "1ns", "4.9s", "4s", "24h1ms", "25h", "99999999999d")) {
      assertEquals(
          "--duration must be from 5s to 24h (a Tracepoint's ttl), not " + d,
          error("--pid", "1", "main.F", "--duration", d),
          d);
    }
    assertEquals(
        "--duration: 'soon' is not a duration; write e.g. 100us, 10ms, 1.5s, 5m, 1h30m",
        error("--pid", "1", "main.F", "--duration", "soon"));
    StandaloneTracepoint five = parse("--pid", "1", "main.F", "--duration", "5s").tracepoint();
    assertEquals(Duration.ofSeconds(5), five.ttl());
    assertTrue(five.duration(), "a --duration stops the tracepoint; it does not expire");
    assertEquals(
        Duration.ofHours(24),
        parse("--pid", "1", "main.F", "--duration", "24h").tracepoint().ttl());
    assertEquals(null, parse("--pid", "1", "main.F").tracepoint().ttl(), "until Ctrl-C");
  }
}
