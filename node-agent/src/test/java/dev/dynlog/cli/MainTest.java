package dev.dynlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.bpf.BpfException;
import dev.dynlog.trace.TracerException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.TypeConversionException;

/** Errors are one line; DYNLOG_DEBUG adds libbpf's (and the verifier's) log and the stack trace. */
class MainTest {

  /** A command that fails as a refused BPF load does. */
  @Command(name = "fail")
  static final class Fail implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      throw new TracerException(
          "cannot load the BPF object into the kernel: Permission denied (errno 13)",
          new BpfException(
              "cannot load",
              "libbpf: prog 'dynlog_entry': BPF program load failed: Permission denied\n"
                  + "libbpf: -- BEGIN PROG LOAD LOG --\nR1 type=ctx expected=fp\n-- END PROG LOAD LOG --"));
    }
  }

  private static String run(boolean debug) {
    StringWriter err = new StringWriter();
    CommandLine cmd =
        Main.commandLine(debug).addSubcommand(new Fail()).setErr(new PrintWriter(err));
    assertEquals(1, cmd.execute("fail"));
    return err.toString();
  }

  @Test
  void oneLineWithoutDebug() {
    String err = run(false);
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.startsWith("dynlog fail: cannot load the BPF object"), err);
  }

  @Test
  void debugShowsLibbpfsLogAndTheStackTrace() {
    String err = run(true);
    assertTrue(err.contains("libbpf: prog 'dynlog_entry': BPF program load failed"), err);
    assertTrue(err.contains("R1 type=ctx expected=fp"), "the verifier's log: " + err);
    assertTrue(err.contains("at dev.dynlog.cli.MainTest$Fail.call"), "the stack trace: " + err);
  }

  /** What {@code dynlog ARGS} prints on stderr, and its exit status. */
  private record Result(int exit, String err) {}

  private static Result main(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine(false).setErr(new PrintWriter(err));
    for (CommandLine sub : cmd.getSubcommands().values()) sub.setErr(new PrintWriter(err));
    int exit = cmd.execute(args);
    return new Result(exit, err.toString());
  }

  /** Mistakes in the arguments are one line, in words, with the way to the help. */
  @Test
  void argumentMistakesAreOneLineWithoutJavasTypeNames() {
    assertEquals(
        new Result(
            2,
            "dynlog trace: Invalid value for option '--pid': 'abc' is not a whole number"
                + " (see dynlog trace --help)\n"),
        main("trace", "--pid", "abc", "main.F"));
    assertEquals(
        new Result(
            2,
            "dynlog trace: Invalid value for option '--pid': '99999999999' is too large"
                + " (see dynlog trace --help)\n"),
        main("trace", "--pid", "99999999999", "main.F"));
    assertEquals(
        new Result(
            2,
            "dynlog trace: Invalid value for option '--sample': 'half' is not a number"
                + " (see dynlog trace --help)\n"),
        main("trace", "--pid", "1", "main.F", "--sample", "half"));
    assertEquals(
        new Result(
            2,
            "dynlog trace: Invalid value for option '--sample': 'NaN' is not a number"
                + " (see dynlog trace --help)\n"),
        main("trace", "--pid", "1", "main.F", "--sample", "NaN"));
    assertEquals(
        new Result(
            2,
            "dynlog events: Invalid value for option '--limit': '10k' is not a whole number"
                + " (see dynlog events --help)\n"),
        main("events", "f", "--agent", "http://127.0.0.1:1", "--limit", "10k"));
    assertEquals(
        new Result(
            2,
            "dynlog trace: Unknown option: '--pidd'; did you mean --pid? (see dynlog trace --help)\n"),
        main("trace", "--pid", "3", "main.F", "--pidd"));
    assertEquals(
        new Result(
            2, "dynlog trace: Missing required parameter: 'FUNCTION' (see dynlog trace --help)\n"),
        main("trace", "--pid", "3"));
  }

  @Test
  void numbersAreReadAsPeopleWriteThem() {
    assertEquals(0.5, Main.number("0.5"));
    assertEquals(0.25, Main.number(".25"));
    assertEquals(0.001, Main.number("1E-3"));
    for (String bad : List.of("1d", "0x1p3", "Infinity", "1e999", "", "½")) {
      assertEquals(
          "'" + bad + "' is not a number",
          assertThrows(TypeConversionException.class, () -> Main.number(bad)).getMessage(),
          bad);
    }
    assertEquals(-7, Main.whole("-7", Integer.MIN_VALUE, Integer.MAX_VALUE));
    assertEquals(
        "'-99999999999' is too small",
        assertThrows(
                TypeConversionException.class,
                () -> Main.whole("-99999999999", Integer.MIN_VALUE, Integer.MAX_VALUE))
            .getMessage());
    assertEquals(
        "'1.5' is not a whole number",
        assertThrows(TypeConversionException.class, () -> Main.whole("1.5", 0, 10)).getMessage());
  }

  /** A message is the error's words: file system errors say what went wrong with which file. */
  @Test
  void messagesNeverShowAJavaClassName() {
    assertEquals("no such file: /proc/2/exe", Main.message(new NoSuchFileException("/proc/2/exe")));
    assertEquals(
        "permission denied reading /proc/1/exe",
        Main.message(new AccessDeniedException("/proc/1/exe")));
    assertEquals(
        "/tmp: Is a directory",
        Main.message(new FileSystemException("/tmp", null, "Is a directory")));
    assertEquals(
        "cannot open /proc/2/exe: /proc/2/exe",
        Main.message(
            new IllegalStateException(
                "cannot open /proc/2/exe: java.nio.file.NoSuchFileException: /proc/2/exe")));
    assertEquals(
        "no function `main.ParseError` in /bin/x",
        Main.message(new IllegalStateException("no function `main.ParseError` in /bin/x")),
        "a traced program's names are not Java's");
    assertEquals(
        "internal error; run with DYNLOG_DEBUG=1 for the stack trace, and report it",
        Main.message(new NullPointerException()));
  }

  @Test
  void theVariableIsOnUnlessEmptyZeroOrFalse() {
    assertTrue(Main.debug("1"));
    assertTrue(Main.debug("yes"));
    assertFalse(Main.debug(null));
    assertFalse(Main.debug(""));
    assertFalse(Main.debug("0"));
    assertFalse(Main.debug("false"));
  }
}
