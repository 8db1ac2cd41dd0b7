package dev.dynlog.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads processes from a {@code /proc} tree (the host's, or another root in tests): pid, start
 * time, name, executable and container. Processes that exit while being read are left out.
 */
public final class ProcessTable {
  private final Path proc;

  /** The table of a {@code /proc} mount, e.g. {@code Path.of("/proc")}. */
  public ProcessTable(Path proc) {
    this.proc = proc;
  }

  /** The host's processes. */
  public static ProcessTable host() {
    return new ProcessTable(Path.of("/proc"));
  }

  /** The {@code /proc} directory read. */
  public Path root() {
    return proc;
  }

  /** Every process now (threads are not listed: {@code /proc} lists thread-group leaders). */
  public List<ProcessInfo> all() throws IOException {
    List<ProcessInfo> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc)) {
      for (Path d : dirs) {
        String name = d.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
        int pid;
        try {
          pid = Integer.parseInt(name);
        } catch (NumberFormatException e) {
          continue;
        }
        read(pid).ifPresent(out::add);
      }
    }
    return out;
  }

  /** The processes of one container. */
  public List<ProcessInfo> inContainer(String containerId) throws IOException {
    List<ProcessInfo> out = new ArrayList<>();
    for (ProcessInfo p : all()) {
      if (p.container() != null && p.container().id().equals(containerId)) out.add(p);
    }
    return out;
  }

  /** One process, or empty when it does not exist (or exited while being read). */
  public Optional<ProcessInfo> read(int pid) {
    Path dir = proc.resolve(Integer.toString(pid));
    try {
      String stat = Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8);
      // "pid (comm) S ppid ...": comm may hold spaces and parentheses; fields follow the last ')'
      int close = stat.lastIndexOf(')');
      int open = stat.indexOf('(');
      if (open < 0 || close < open) return Optional.empty();
      String comm = stat.substring(open + 1, close);
      String[] f = stat.substring(close + 2).trim().split(" ");
      char state = f[0].isEmpty() ? '?' : f[0].charAt(0);
      long start = f.length > 19 ? Long.parseLong(f[19]) : 0;
      return Optional.of(new ProcessInfo(pid, start, comm, exe(dir), container(dir), state));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The target of {@code exe}, without a " (deleted)" mark; null for kernel threads and zombies.
   */
  private static String exe(Path dir) {
    try {
      String target = Files.readSymbolicLink(dir.resolve("exe")).toString();
      return target.endsWith(" (deleted)") ? target.substring(0, target.length() - 10) : target;
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  /** The container of the first cgroup line that names one, or null. */
  private static ContainerRef container(Path dir) throws IOException {
    for (String line : Files.readAllLines(dir.resolve("cgroup"), StandardCharsets.UTF_8)) {
      ContainerRef c = ContainerRef.fromCgroupLine(line);
      if (c != null) return c;
    }
    return null;
  }

  /**
   * True when a process matches a Tracepoint's {@code processName}: the regular expression finds a
   * match in its name or in its executable's path; a null pattern matches every process.
   */
  public static boolean matches(ProcessInfo p, Pattern processName) {
    if (processName == null) return true;
    return processName.matcher(p.comm()).find()
        || (p.exe() != null && processName.matcher(p.exe()).find());
  }
}
