package dev.dynlog.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A running target program (or any program, see {@link #finishRaw}). Start it with {@code
 * -wait-stdin}, attach a tracer to {@link #pid()}, then {@link #release()} it; {@link
 * #finish(Duration)} waits for it and parses its ground truth. The tracer tests' plain programs are
 * run the same way with {@link #startPlain} and {@link #finishLines}. Its stdout and stderr are
 * drained in the background so it never blocks on a full pipe.
 */
public final class TargetProcess implements AutoCloseable {
  private static final String READY = "ready pid=";
  private static final String PLAIN_READY = "ready";
  private static final Duration PLAIN_READY_TIMEOUT = Duration.ofMinutes(1);

  private final Path binary;
  private final Process process;
  private final List<String> stdout = Collections.synchronizedList(new ArrayList<>());
  private final StringBuffer stderr = new StringBuffer();
  private final CountDownLatch ready = new CountDownLatch(1);

  /**
   * The plain protocol's first stdout line, once read (null until then, and in the JSON protocol).
   */
  private final AtomicReference<String> firstLine = new AtomicReference<>();

  private final Thread outReader;
  private final Thread errReader;

  private TargetProcess(Path binary, Process process, boolean plain) {
    this.binary = binary;
    this.process = process;
    this.outReader =
        plain
            ? drain(process.getInputStream(), this::plainLine, ready::countDown, "stdout")
            : drain(process.getInputStream(), stdout::add, () -> {}, "stdout");
    this.errReader =
        drain(
            process.getErrorStream(),
            line -> {
              stderr.append(line).append('\n');
              if (line.contains(READY)) {
                ready.countDown();
              }
            },
            () -> {},
            "stderr");
  }

  /** Starts {@code binary} with {@code args}. */
  public static TargetProcess start(Path binary, String... args) {
    Require.notQuick("a running target program", "toolchain or bpf");
    return launch(binary, false, args);
  }

  /**
   * Starts a program of the tracer tests' plain protocol ({@code go/cmd/tracetarget}, the C
   * programs in test classes) and returns once it is ready: it prints {@code ready} as its first
   * stdout line, waits for a line on stdin ({@link #release()}), prints its ground truth as plain
   * text lines and exits 0 ({@link #finishLines(Duration)}).
   */
  public static TargetProcess startPlain(Path binary, String... args) {
    Require.notQuick("a running target program", "toolchain or bpf");
    TargetProcess p = launch(binary, true, args);
    try {
      p.awaitReady(PLAIN_READY_TIMEOUT);
      if (!PLAIN_READY.equals(p.firstLine.get())) {
        throw new IllegalStateException(
            binary + " did not print ready: " + p.firstLine.get() + "; stderr:\n" + p.stderr);
      }
      return p;
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
  }

  private static TargetProcess launch(Path binary, boolean plain, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.addAll(List.of(args));
    try {
      return new TargetProcess(binary, new ProcessBuilder(cmd).start(), plain);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start target " + cmd + ": " + e.getMessage(), e);
    }
  }

  /** The target's process id. */
  public long pid() {
    return process.pid();
  }

  /** Waits until the target has printed its ready line (before it waits on stdin or sleeps). */
  public TargetProcess awaitReady(Duration timeout) {
    try {
      if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            binary + " printed no ready line within " + timeout + "; stderr:\n" + stderr);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + binary, e);
    }
    return this;
  }

  /** Lets a target started with {@code -wait-stdin} begin its calls. */
  public void release() {
    try {
      OutputStream in = process.getOutputStream();
      in.write('\n');
      in.close();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot release " + binary + " (pid " + pid() + "): " + e.getMessage(), e);
    }
  }

  /**
   * Asks the target to stop (SIGTERM); it then prints its summary and exits 0. Sent through the
   * process handle: {@link Process#destroy()} would also close our end of its stdout and lose the
   * summary.
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /**
   * Waits for the target to exit (killing it after {@code timeout}) and parses its ground truth.
   */
  public TargetOutput finish(Duration timeout) {
    ProcessOutput out = finishRaw(timeout);
    return TargetOutput.parse(out.exitCode(), out.stdoutLines(), out.stderr());
  }

  /**
   * Waits for a program of the plain protocol to exit (killing it after {@code timeout}), requires
   * exit status 0 and returns its stdout lines after the ready line.
   */
  public List<String> finishLines(Duration timeout) {
    ProcessOutput out = finishRaw(timeout);
    if (out.exitCode() != 0) {
      throw new IllegalStateException(
          binary
              + " exited with "
              + out.exitCode()
              + "; output "
              + out.stdoutLines()
              + "; stderr:\n"
              + out.stderr());
    }
    return out.stdoutLines();
  }

  /**
   * Waits for the program to exit (killing it after {@code timeout}) and returns what it printed,
   * unparsed.
   */
  public ProcessOutput finishRaw(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            binary
                + " (pid "
                + pid()
                + ") did not exit within "
                + timeout
                + "; stderr:\n"
                + stderr);
      }
      outReader.join();
      errReader.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + binary, e);
    }
    synchronized (stdout) {
      return new ProcessOutput(process.exitValue(), List.copyOf(stdout), stderr.toString());
    }
  }

  /**
   * What a program printed.
   *
   * @param exitCode exit status
   * @param stdoutLines stdout, line by line
   * @param stderr all of stderr
   */
  public record ProcessOutput(int exitCode, List<String> stdoutLines, String stderr) {}

  /** Kills the target if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  /** The plain protocol's stdout: the first line is the ready line, the rest is kept. */
  private void plainLine(String line) {
    if (firstLine.compareAndSet(null, line)) {
      ready.countDown();
      if (line.equals(PLAIN_READY)) {
        return;
      }
    }
    stdout.add(line);
  }

  private Thread drain(InputStream stream, Consumer<String> sink, Runnable atEnd, String name) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  sink.accept(line);
                }
              } catch (IOException ignored) {
                // the process went away; what was read so far is kept
              } finally {
                atEnd.run();
              }
            },
            "target-" + name + "-" + process.pid());
    t.setDaemon(true);
    t.start();
    return t;
  }
}
