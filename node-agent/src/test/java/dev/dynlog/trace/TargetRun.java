package dev.dynlog.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running test target. Protocol: the target prints "ready", waits for a line on stdin, makes its
 * calls printing one ground-truth line per call, and exits 0.
 */
final class TargetRun implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;
  private final OutputStream in;

  private TargetRun(Process process) {
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = process.getOutputStream();
  }

  static TargetRun start(Path bin, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(bin.toString()));
    cmd.addAll(List.of(args));
    TargetRun t = new TargetRun(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    String first = t.out.readLine();
    if (!"ready".equals(first)) throw new AssertionError(bin + " did not print ready: " + first);
    return t;
  }

  int pid() {
    return (int) process.pid();
  }

  /** Lets the target make its calls. */
  void go() throws IOException {
    in.write("go\n".getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** Reads the ground truth until the target exits; asserts exit status 0. */
  List<String> awaitExit() throws IOException, InterruptedException {
    List<String> lines = new ArrayList<>();
    for (String l; (l = out.readLine()) != null; ) lines.add(l);
    if (!process.waitFor(120, TimeUnit.SECONDS)) throw new AssertionError("target did not exit");
    if (process.exitValue() != 0) throw new AssertionError("target exited with " + process.exitValue() + "; output " + lines);
    return lines;
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
