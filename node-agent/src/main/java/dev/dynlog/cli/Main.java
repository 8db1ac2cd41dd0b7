package dev.dynlog.cli;

import dev.dynlog.trace.TracerException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dynlog} command. */
@Command(
    name = "dynlog",
    mixinStandardHelpOptions = true,
    version = "dynlog 0.1.0",
    description =
        "Dynamic logging for compiled programs: arguments, results and latency of any function.",
    footer = {
      "",
      "Errors are one line; with DYNLOG_DEBUG=1 in the environment they are followed by libbpf's and the",
      "kernel verifier's log, when there is one, and the stack trace."
    },
    subcommands = {
      InspectCommand.class,
      TraceCommand.class,
      RunCommand.class,
      EventsCommand.class,
      AgentCommand.class
    })
public final class Main implements Runnable {

  /** The environment variable that turns on error details. */
  static final String DEBUG_VARIABLE = "DYNLOG_DEBUG";

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (for tests). */
  public static int run(String... args) {
    return commandLine(debug(System.getenv(DEBUG_VARIABLE))).execute(args);
  }

  /** The command line with its error handler; {@code debug} adds libbpf's log and stack traces. */
  static CommandLine commandLine(boolean debug) {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler((e, cmd, parsed) -> handleError(e, cmd, debug));
  }

  /** DYNLOG_DEBUG is on when set to anything but empty, 0 or false. */
  static boolean debug(String value) {
    return value != null
        && !value.isEmpty()
        && !value.equals("0")
        && !value.equalsIgnoreCase("false");
  }

  /**
   * Turns an exception that escaped a command into one clear line (details in debug) and exit
   * status 1.
   */
  private static int handleError(Exception e, CommandLine cmd, boolean debug) {
    String msg = e.getMessage() == null ? e.toString() : e.getMessage();
    int nl = msg.indexOf('\n');
    if (!debug && nl >= 0) {
      String last = msg.substring(msg.lastIndexOf('\n') + 1);
      int dash = last.lastIndexOf(" — ");
      msg = msg.substring(0, nl) + (dash >= 0 ? last.substring(dash) : "");
    }
    PrintWriter err = cmd.getErr();
    err.println("dynlog " + cmd.getCommandName() + ": " + msg);
    if (debug) {
      String details = details(e);
      if (!details.isEmpty()) err.println(details);
      e.printStackTrace(err);
    }
    err.flush();
    return 1;
  }

  /**
   * libbpf's log lines (the verifier's among them) carried by a tracer failure in the causes, or
   * "".
   */
  static String details(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TracerException te && !te.details().isEmpty()) return te.details();
    }
    return "";
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
