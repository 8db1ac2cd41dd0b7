package dev.dynlog.cli;

import dev.dynlog.trace.TracerException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

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

  /**
   * The command line with its error handlers; {@code debug} adds libbpf's log and stack traces.
   * Mistakes in the arguments are one line too, in words rather than Java's type names.
   */
  static CommandLine commandLine(boolean debug) {
    CommandLine cl =
        new CommandLine(new Main())
            .setExecutionExceptionHandler((e, cmd, parsed) -> handleError(e, cmd, debug))
            .setParameterExceptionHandler(Main::handleParameterError);
    ITypeConverter<Integer> integer =
        text -> (int) whole(text, Integer.MIN_VALUE, Integer.MAX_VALUE);
    ITypeConverter<Long> wholeLong = text -> whole(text, Long.MIN_VALUE, Long.MAX_VALUE);
    ITypeConverter<Double> number = Main::number;
    return cl.registerConverter(Integer.class, integer)
        .registerConverter(int.class, integer)
        .registerConverter(Long.class, wholeLong)
        .registerConverter(long.class, wholeLong)
        .registerConverter(Double.class, number)
        .registerConverter(double.class, number);
  }

  /** A whole number option value within {@code [min, max]}. */
  static long whole(String text, long min, long max) {
    String s = text.strip();
    if (!s.matches("[+-]?\\d+")) {
      throw new TypeConversionException("'" + text + "' is not a whole number");
    }
    boolean negative = s.startsWith("-");
    try {
      long n = Long.parseLong(s);
      if (n >= min && n <= max) return n;
      negative = n < min;
    } catch (NumberFormatException e) {
      // beyond a long, so beyond the bounds as well
    }
    throw new TypeConversionException("'" + text + "' is too " + (negative ? "small" : "large"));
  }

  /** A decimal number: {@code 0.5}, {@code .25}, {@code 1e-3}. */
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");

  /** A decimal number option value; not NaN, infinite, hexadecimal or with a type suffix. */
  static double number(String text) {
    String s = text.strip();
    if (DECIMAL.matcher(s).matches()) {
      double d = Double.parseDouble(s);
      if (Double.isFinite(d)) return d;
    }
    throw new TypeConversionException("'" + text + "' is not a number");
  }

  /**
   * A mistake in the arguments: one line naming the option, with a suggestion when an unknown
   * option resembles a known one, and a pointer to the help; exit status 2.
   */
  private static int handleParameterError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    String name = cmd.getCommandSpec().qualifiedName();
    String msg = firstLine(e.getMessage() == null ? "invalid arguments" : e.getMessage());
    if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      msg += "; did you mean " + String.join(" or ", u.getSuggestions()) + "?";
    }
    PrintWriter err = cmd.getErr();
    err.println(name + ": " + msg + " (see " + name + " --help)");
    err.flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s.strip() : s.substring(0, nl).strip();
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
    String msg = message(e);
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
   * An exception's message for people: a file system failure as the file and what went wrong, no
   * exception class names, and a pointer to DYNLOG_DEBUG when there are no words at all.
   */
  static String message(Throwable e) {
    if (e instanceof NoSuchFileException f) return "no such file: " + f.getFile();
    if (e instanceof AccessDeniedException f) return "permission denied reading " + f.getFile();
    if (e instanceof FileSystemException f && f.getReason() != null)
      return f.getFile() + ": " + f.getReason();
    String msg = e.getMessage();
    if (msg != null) msg = CLASS_NAME.matcher(msg).replaceAll("");
    if (msg == null || msg.isBlank()) {
      return "internal error; run with " + DEBUG_VARIABLE + "=1 for the stack trace, and report it";
    }
    return msg;
  }

  /**
   * A Java exception's class name with its colon, as {@code Throwable.toString()} writes it; only
   * in the packages of Java and of the libraries dynlog uses, so that a traced program's own names
   * ({@code main.ParseError}) stay.
   */
  private static final Pattern CLASS_NAME =
      Pattern.compile(
          "\\b(?:java|javax|jdk|sun|com\\.sun|com\\.fasterxml|dev\\.dynlog|picocli|io\\.fabric8|org\\.yaml|org\\.eclipse)"
              + "(?:\\.[a-z_$][\\w$]*)*\\.[A-Z][\\w$]*(?:Exception|Error)\\b:?\\s*");

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
