package dev.dynlog.trace;

import dev.dynlog.bpf.BpfException;
import dev.dynlog.bpf.ProcessGroups;

/**
 * A set of processes that filtered probes may run in, typically the processes of one container.
 * Obtained from {@link Tracer#newGroup()}; {@link #add} puts a process in it, and every process it
 * forks afterwards joins it in the kernel before it runs. {@link #close()} empties and frees it.
 */
public final class ProcessGroup implements AutoCloseable {
  private final ProcessGroups groups;
  private final int id;
  private boolean closed;

  ProcessGroup(ProcessGroups groups, int id) {
    this.groups = groups;
    this.id = id;
  }

  /** The group's id in the kernel's maps. */
  public int id() {
    return id;
  }

  /** Puts a process (its tgid) in this group. */
  public void add(int tgid) throws TracerException {
    try {
      groups.add(id, tgid);
    } catch (BpfException e) {
      throw new TracerException(
          "cannot add process " + tgid + " to group " + id + ": " + e.getMessage(), e);
    }
  }

  /** True when the kernel has the process (its tgid) in this group now. */
  public boolean contains(int tgid) throws TracerException {
    try {
      return groups.groupOf(tgid) == id;
    } catch (BpfException e) {
      throw new TracerException(
          "cannot read the group of process " + tgid + ": " + e.getMessage(), e);
    }
  }

  /** Takes a process out of this group (if it is in it). */
  public void remove(int tgid) throws TracerException {
    try {
      if (groups.groupOf(tgid) == id) groups.remove(tgid);
    } catch (BpfException e) {
      throw new TracerException(
          "cannot remove process " + tgid + " from group " + id + ": " + e.getMessage(), e);
    }
  }

  /** Empties the group and frees its id. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    try {
      groups.release(id);
    } catch (BpfException ignored) {
      // the object is being unloaded
    }
  }

  @Override
  public String toString() {
    return "group " + id;
  }
}
