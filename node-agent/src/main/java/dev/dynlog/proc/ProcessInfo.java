package dev.dynlog.proc;

/**
 * One process as {@code /proc} shows it.
 *
 * @param pid the process id (tgid)
 * @param startTime its start time in clock ticks since boot ({@code /proc/PID/stat} field 22): with
 *     the pid, it identifies the process even after the pid is reused
 * @param comm its name ({@code /proc/PID/comm})
 * @param exe the path of its executable inside its own mount namespace (the target of {@code
 *     /proc/PID/exe}), or null for a kernel thread or a zombie
 * @param container the container it runs in, or null for a host process
 * @param state the state letter of {@code /proc/PID/stat} (R, S, D, Z, ...)
 */
public record ProcessInfo(
    int pid, long startTime, String comm, String exe, ContainerRef container, char state) {

  /** True for a zombie: it has exited and has no executable left to trace. */
  public boolean zombie() {
    return state == 'Z';
  }
}
