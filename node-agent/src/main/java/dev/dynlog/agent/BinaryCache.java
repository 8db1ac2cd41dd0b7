package dev.dynlog.agent;

import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import dev.dynlog.dwarf.DwarfBinary;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.plan.ProbePlanner;
import dev.dynlog.proc.SafeOpen;
import dev.dynlog.symbols.Binary;
import dev.dynlog.symbols.ResolveException;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The binaries of a node, each resolved once: a binary is identified by its device, inode and
 * build-id, so the N replicas of one image on a node (the same file of one image layer) cost one
 * debug-information lookup and one plan per probe. Messages name the binary by its path inside the
 * container, never by the agent's file descriptor.
 */
public final class BinaryCache implements AutoCloseable {

  /** A binary's identity on this node. */
  public record Key(long device, long inode, String buildId) {}

  private record Entry(Binary binary, Map<String, ProbePlan> plans) {}

  private final Map<Key, Entry> binaries = new HashMap<>();
  private int lookups;

  /** The identity of an opened file (reads its ELF notes for the build-id). */
  public synchronized Key key(SafeOpen.OpenFile file) throws ResolveException {
    SafeOpen.FileId id;
    try {
      id = file.id();
    } catch (IOException e) {
      throw new ResolveException("cannot stat " + file.name() + ": " + e.getMessage(), e);
    }
    for (Key k : binaries.keySet()) {
      if (k.device() == id.device() && k.inode() == id.inode()) {
        // the same inode: unless the file was replaced, the same build-id
        Binary fresh = open(file);
        String buildId = fresh.buildId();
        if (Objects.equals(buildId, k.buildId())) {
          close(fresh);
          return k;
        }
        Key key = new Key(id.device(), id.inode(), buildId);
        binaries.put(key, new Entry(fresh, new HashMap<>()));
        return key;
      }
    }
    Binary b = open(file);
    Key key = new Key(id.device(), id.inode(), b.buildId());
    binaries.put(key, new Entry(b, new HashMap<>()));
    return key;
  }

  /**
   * The plan of a probe in a binary (the first request resolves it, later ones reuse it), for
   * attaching through {@code file}.
   *
   * @throws ResolveException naming the binary by its path in the container
   */
  public synchronized ProbePlan plan(Key key, SafeOpen.OpenFile file, ProbeSpec probe)
      throws ResolveException {
    Entry e = binaries.get(key);
    if (e == null) throw new IllegalStateException("unknown binary " + key);
    String planKey = planKey(probe);
    ProbePlan plan = e.plans.get(planKey);
    if (plan == null) {
      lookups++;
      try {
        plan =
            new ProbePlanner(e.binary, ProbeSettings.planOptions(probe))
                .plan(probe.getFunction(), probe.getCapture());
      } catch (ResolveException ex) {
        throw new ResolveException(ex.getMessage().replace(e.binary.path(), file.name()), ex);
      }
      e.plans.put(planKey, plan);
    }
    return plan.withBinaryPath(file.path().toString());
  }

  /** The binary of a key, to symbolize addresses of its rows. */
  public synchronized Binary binary(Key key) {
    Entry e = binaries.get(key);
    return e == null ? null : e.binary;
  }

  /** How many plans were resolved (not served from the cache). */
  public synchronized int lookups() {
    return lookups;
  }

  /** How many distinct binaries are open. */
  public synchronized int size() {
    return binaries.size();
  }

  private static String planKey(ProbeSpec p) {
    StringBuilder sb = new StringBuilder(p.getFunction()).append('\0');
    for (Capture c : p.getCapture())
      sb.append(c.getName()).append('=').append(c.getExpr()).append('\0');
    sb.append(ProbeSettings.planOptions(p));
    return sb.toString();
  }

  private static Binary open(SafeOpen.OpenFile file) throws ResolveException {
    try {
      return DwarfBinary.open(file.path());
    } catch (ResolveException e) {
      throw new ResolveException(e.getMessage().replace(file.path().toString(), file.name()), e);
    }
  }

  private static void close(Binary b) {
    try {
      b.close();
    } catch (IOException ignored) {
      // nothing beyond memory
    }
  }

  /** Forgets every binary not among {@code inUse}. */
  public synchronized void retain(List<Key> inUse) {
    binaries
        .entrySet()
        .removeIf(
            e -> {
              if (inUse.contains(e.getKey())) return false;
              close(e.getValue().binary);
              return true;
            });
  }

  @Override
  public synchronized void close() {
    binaries.values().forEach(e -> close(e.binary));
    binaries.clear();
  }
}
