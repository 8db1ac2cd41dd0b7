package dev.dynlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.bpf.BpfException;
import dev.dynlog.trace.TracerException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
