package dev.dynlog.bpf;

import com.sun.jna.Memory;
import dev.dynlog.recipe.RecipeLimits;
import java.util.ArrayList;
import java.util.List;

/**
 * Process groups in the kernel: which group (typically one container) a process belongs to, for
 * probes that run only in the processes of their allowed groups ({@link KernelProbe#allow}). The
 * {@code procs} map holds tgid → group; the object's {@code dynlog_fork} program adds every new
 * process to its parent's group before it runs (so a worker forked later is traced from its first
 * call), {@code dynlog_exit} removes a process when it exits. Both are attached on the first {@link
 * #allocate()}.
 */
public final class ProcessGroups implements AutoCloseable {
  /** The program that adds a forked process to its parent's group. */
  public static final String FORK_PROGRAM = "dynlog_fork";

  /** The program that removes an exiting process. */
  public static final String EXIT_PROGRAM = "dynlog_exit";

  private final BpfObject object;
  private final BpfMap procs;
  private final boolean[] used = new boolean[RecipeLimits.MAX_GROUPS];
  private final List<ProgramLink> links = new ArrayList<>();

  public ProcessGroups(BpfObject object) throws BpfException {
    this.object = object;
    this.procs = object.map("procs");
  }

  /**
   * A free group id, with the fork and exit programs attached.
   *
   * @throws BpfException when all {@value RecipeLimits#MAX_GROUPS} groups are in use, or the
   *     programs cannot be attached
   */
  public synchronized int allocate() throws BpfException {
    if (links.isEmpty()) {
      ProgramLink fork = object.attach(FORK_PROGRAM);
      try {
        links.add(object.attach(EXIT_PROGRAM));
      } catch (BpfException e) {
        fork.close();
        throw e;
      }
      links.add(fork);
    }
    for (int g = 0; g < used.length; g++) {
      if (!used[g]) {
        used[g] = true;
        return g;
      }
    }
    throw new BpfException(
        "too many process groups: at most " + RecipeLimits.MAX_GROUPS + " at a time");
  }

  /** Puts a process (tgid) in a group; its later children join it by themselves. */
  public void add(int group, int tgid) throws BpfException {
    check(group);
    Memory value = new Memory(4);
    value.setInt(0, group);
    procs.update(BpfMap.intKey(tgid), value);
  }

  /** The group of a process, or -1 when it belongs to none. */
  public int groupOf(int tgid) throws BpfException {
    Memory value = new Memory(4);
    return procs.lookup(BpfMap.intKey(tgid), value) ? value.getInt(0) : -1;
  }

  /** Takes a process out of its group. */
  public void remove(int tgid) throws BpfException {
    procs.delete(BpfMap.intKey(tgid));
  }

  /** Takes every process out of a group and frees its id. */
  public synchronized void release(int group) throws BpfException {
    check(group);
    List<Memory> members = new ArrayList<>();
    Memory key = null;
    Memory value = new Memory(4);
    while (members.size() < procs.maxEntries()) {
      Memory next = new Memory(4);
      if (!procs.nextKey(key, next)) break;
      if (procs.lookup(next, value) && value.getInt(0) == group) members.add(next);
      key = next;
    }
    for (Memory m : members) procs.delete(m);
    used[group] = false;
  }

  private static void check(int group) {
    if (group < 0 || group >= RecipeLimits.MAX_GROUPS) {
      throw new IllegalArgumentException(
          "group " + group + " out of 0.." + (RecipeLimits.MAX_GROUPS - 1));
    }
  }

  /** Detaches the fork and exit programs. */
  @Override
  public synchronized void close() {
    for (ProgramLink l : links) l.close();
    links.clear();
  }
}
