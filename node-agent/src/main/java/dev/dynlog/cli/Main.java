package dev.dynlog.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dynlog} command. */
@Command(
    name = "dynlog",
    mixinStandardHelpOptions = true,
    version = "dynlog 0.1.0",
    description = "Dynamic logging for compiled programs: arguments, results and latency of any function.",
    subcommands = {InspectCommand.class, TraceCommand.class, RunCommand.class, EventsCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (for tests). */
  public static int run(String... args) {
    return new CommandLine(new Main()).setExecutionExceptionHandler(Main::handleError).execute(args);
  }

  /** Turns an exception that escaped a command into one clear line and exit status 1. */
  private static int handleError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    String msg = e.getMessage() == null ? e.toString() : e.getMessage();
    boolean debug = System.getenv("DYNLOG_DEBUG") != null;
    int nl = msg.indexOf('\n');
    if (!debug && nl >= 0) {
      // One clear line; details such as libbpf's log follow with DYNLOG_DEBUG=1.
      String last = msg.substring(msg.lastIndexOf('\n') + 1);
      int dash = last.lastIndexOf(" — ");
      msg = msg.substring(0, nl) + (dash >= 0 ? last.substring(dash) : "");
    }
    cmd.getErr().println("dynlog " + cmd.getCommandName() + ": " + msg);
    if (debug) e.printStackTrace(cmd.getErr());
    return 1;
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
