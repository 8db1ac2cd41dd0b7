package dev.dynlog.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Stands in for the kubelet and the container runtime: a cgroup named as the kubelet's cgroupfs
 * driver names a container's ({@code kubepods/burstable/pod<uid>/<64-hex id>}), in the cgroup v1
 * hierarchies (memory, pids) or in the cgroup2 hierarchy mounted at {@code /sys/fs/cgroup/unified},
 * into which a test moves real processes. {@code /proc/PID/cgroup} of those processes then shows
 * exactly what it shows for a container's processes.
 */
public final class FakeContainer implements AutoCloseable {

  /** Which cgroup hierarchies hold the container. */
  public enum Layout {
    /** cgroup v1: the memory and pids controllers' hierarchies. */
    V1,
    /** The cgroup2 hierarchy. */
    V2
  }

  private static final Path ROOT = Path.of("/sys/fs/cgroup");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String id;
  private final String podUid;
  private final List<Path> dirs = new ArrayList<>();

  private FakeContainer(String id, String podUid, Layout layout) throws IOException {
    this.id = id;
    this.podUid = podUid;
    String rel = "kubepods/burstable/pod" + podUid + "/" + id;
    List<Path> hierarchies =
        layout == Layout.V1
            ? List.of(ROOT.resolve("memory"), ROOT.resolve("pids"))
            : List.of(ROOT.resolve("unified"));
    for (Path h : hierarchies) {
      if (!Files.isDirectory(h)) throw new IOException("no cgroup hierarchy at " + h);
      Path dir = h.resolve(rel);
      Files.createDirectories(dir);
      dirs.add(dir);
    }
  }

  /** A new container with a random ID in a new pod. */
  public static FakeContainer create(Layout layout) throws IOException {
    return create(UUID.randomUUID().toString(), layout);
  }

  /** A new container with a random ID in the pod of this UID. */
  public static FakeContainer create(String podUid, Layout layout) throws IOException {
    Require.root();
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return new FakeContainer(HexFormat.of().formatHex(b), podUid, layout);
  }

  /** The 64-hex-digit ID. */
  public String id() {
    return id;
  }

  /** The ID as a pod status shows it. */
  public String statusId() {
    return "containerd://" + id;
  }

  public String podUid() {
    return podUid;
  }

  /** Moves a process (all its threads) into the container. */
  public void place(long pid) throws IOException {
    for (Path d : dirs) Files.writeString(d.resolve("cgroup.procs"), Long.toString(pid));
  }

  /** Moves the processes still inside back to the root cgroups and removes the directories. */
  @Override
  public void close() throws IOException {
    for (Path d : dirs) {
      Path root = d;
      while (!root.getParent().equals(ROOT)) root = root.getParent();
      if (Files.exists(d.resolve("cgroup.procs"))) {
        for (String pid : Files.readAllLines(d.resolve("cgroup.procs"))) {
          if (pid.isBlank()) continue;
          try {
            Files.writeString(root.resolve("cgroup.procs"), pid);
          } catch (IOException exited) {
            // gone meanwhile
          }
        }
      }
      // the container's directory, then its pod's and the QoS one when empty
      for (Path p = d; !p.equals(root); p = p.getParent()) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException busy) {
          break; // another container or pod still uses it
        }
      }
    }
  }
}
