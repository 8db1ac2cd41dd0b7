package dev.dynlog.trace;

import java.util.List;

/**
 * Which processes a probe observes: one process; every process running the plan's binary, including
 * ones started after the attach; or the processes of some {@link ProcessGroup}s (say, the
 * containers of the selected pods) among every process of the binary, processes they fork later
 * included, and no other.
 *
 * @param pid the process id, or -1 for the processes of the executable
 * @param groups the groups the probe runs in, or null for no filter
 */
public record Target(int pid, List<ProcessGroup> groups) {

  public Target {
    if (pid < -1 || pid == 0) throw new IllegalArgumentException("invalid pid " + pid);
    if (groups != null) {
      if (pid != -1)
        throw new IllegalArgumentException("a target of groups covers every process of the binary");
      groups = List.copyOf(groups);
    }
  }

  /** One running process. */
  public static Target process(int pid) {
    return new Target(pid, null);
  }

  /** Every process of the plan's executable, present and future. */
  public static Target executable() {
    return new Target(-1, null);
  }

  /**
   * The processes of these groups that run the plan's executable, present and future (forked
   * children join their parent's group in the kernel). {@link Probe#allow} changes the groups
   * later.
   */
  public static Target groups(List<ProcessGroup> groups) {
    return new Target(-1, groups);
  }

  /** True for every process of the executable, unfiltered. */
  public boolean allProcesses() {
    return pid == -1 && groups == null;
  }

  /** True when the probe runs only in the processes of its groups. */
  public boolean filtered() {
    return groups != null;
  }

  @Override
  public String toString() {
    if (filtered()) return "processes of groups " + groups.stream().map(ProcessGroup::id).toList();
    return pid == -1 ? "all processes" : "pid " + pid;
  }
}
