package dev.dynlog.agent;

import dev.dynlog.trace.ProcessGroup;
import dev.dynlog.trace.Tracer;
import dev.dynlog.trace.TracerException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One kernel process group per container, shared by every probe that traces the container and
 * released when the last one lets go. The agent puts the container's processes in its group; the
 * processes they fork join it in the kernel by themselves.
 */
final class ContainerGroups implements AutoCloseable {
  private final Tracer tracer;
  private final Map<String, Held> held = new HashMap<>();

  private static final class Held {
    final ProcessGroup group;
    final Set<Integer> pids = new HashSet<>();
    int users;

    Held(ProcessGroup group) {
      this.group = group;
    }
  }

  ContainerGroups(Tracer tracer) {
    this.tracer = tracer;
  }

  /** The group of a container, created on first use; every call needs a {@link #release}. */
  synchronized ProcessGroup acquire(String containerId) throws TracerException {
    Held h = held.get(containerId);
    if (h == null) {
      h = new Held(tracer.newGroup());
      held.put(containerId, h);
    }
    h.users++;
    return h.group;
  }

  /** Puts the container's processes (tgids) in its group; ones already there are skipped. */
  synchronized void add(String containerId, Set<Integer> pids) throws TracerException {
    Held h = held.get(containerId);
    if (h == null) return;
    for (int pid : pids) {
      if (h.pids.add(pid)) h.group.add(pid);
    }
    h.pids.retainAll(pids);
  }

  synchronized void release(String containerId) {
    Held h = held.get(containerId);
    if (h == null) return;
    if (--h.users <= 0) {
      h.group.close();
      held.remove(containerId);
    }
  }

  /** Containers with a group now. */
  synchronized int size() {
    return held.size();
  }

  @Override
  public synchronized void close() {
    held.values().forEach(h -> h.group.close());
    held.clear();
  }
}
