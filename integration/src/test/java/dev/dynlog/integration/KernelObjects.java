package dev.dynlog.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * What the kernel holds, as the tools an operator of a node would ask: {@code bpftool prog show}
 * and {@code bpftool link show}, the uprobes of tracefs' {@code uprobe_events}; and which of those
 * objects a process holds (its fds' {@code /proc/PID/fdinfo}: this bpftool is built without the
 * skeleton that would list the holding processes).
 */
final class KernelObjects {

  private static final Path TRACEFS = Path.of("/sys/kernel/tracing");

  private KernelObjects() {}

  /** IDs of the BPF programs process {@code pid} holds open (its fds' {@code prog_id}). */
  static Set<Long> programsOf(long pid) throws IOException {
    return heldBy(pid, "prog_id:");
  }

  /** IDs of the BPF links process {@code pid} holds open (its fds' {@code link_id}). */
  static Set<Long> linksOf(long pid) throws IOException {
    return heldBy(pid, "link_id:");
  }

  /** IDs of every BPF program loaded now. */
  static Set<Long> programs() throws IOException, InterruptedException {
    return ids(bpftool("prog", "show"));
  }

  /** IDs of every BPF link now. */
  static Set<Long> links() throws IOException, InterruptedException {
    return ids(bpftool("link", "show"));
  }

  /** The lines of tracefs' uprobe_events (tracefs is mounted when it is not). */
  static List<String> uprobeEvents() throws IOException, InterruptedException {
    Path events = TRACEFS.resolve("uprobe_events");
    if (!Files.exists(events)) {
      run("mount", "-t", "tracefs", "nodev", TRACEFS.toString());
    }
    return Files.readAllLines(events);
  }

  private static Set<Long> ids(JsonNode list) {
    Set<Long> out = new TreeSet<>();
    for (JsonNode o : list) out.add(o.path("id").asLong());
    return out;
  }

  /** The IDs that the fdinfo of the process's open fds show after {@code key}. */
  private static Set<Long> heldBy(long pid, String key) throws IOException {
    Set<Long> out = new TreeSet<>();
    try (DirectoryStream<Path> fds =
        Files.newDirectoryStream(Path.of("/proc/" + pid + "/fdinfo"))) {
      for (Path fd : fds) {
        List<String> lines;
        try {
          lines = Files.readAllLines(fd);
        } catch (IOException closed) {
          continue;
        }
        for (String line : lines) {
          if (line.startsWith(key)) out.add(Long.parseLong(line.substring(key.length()).trim()));
        }
      }
    }
    return out;
  }

  private static JsonNode bpftool(String... args) throws IOException, InterruptedException {
    String[] cmd = new String[args.length + 2];
    cmd[0] = "bpftool";
    cmd[1] = "-j";
    System.arraycopy(args, 0, cmd, 2, args.length);
    return new ObjectMapper().readTree(run(cmd));
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }
}
