package dev.dynlog.trace;

/**
 * Which processes a tracepoint observes: one process, or every process running the plan's binary,
 * including processes started after the attach.
 *
 * @param pid the process id, or -1 for all processes of the executable
 */
public record Target(int pid) {

  public Target {
    if (pid < -1 || pid == 0) throw new IllegalArgumentException("invalid pid " + pid);
  }

  /** One running process. */
  public static Target process(int pid) {
    return new Target(pid);
  }

  /** Every process of the plan's executable, present and future. */
  public static Target executable() {
    return new Target(-1);
  }

  public boolean allProcesses() {
    return pid == -1;
  }

  @Override
  public String toString() {
    return allProcesses() ? "all processes" : "pid " + pid;
  }
}
