package dev.dynlog.proc;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container as the runtime names it: its 64-hex-digit ID, and the pod UID when the cgroup path
 * shows one. Parsed from a pod status' {@code containerID} ({@code containerd://ID}, {@code
 * cri-o://ID}, {@code docker://ID}) or from a process's cgroup path, in every layout of cgroup v1
 * and v2, the cgroupfs and the systemd drivers, and containerd, CRI-O and Docker:
 *
 * <pre>
 * /kubepods/burstable/pod&lt;uid&gt;/&lt;id&gt;                              cgroupfs (v1 or v2)
 * /kubepods/pod&lt;uid&gt;/&lt;id&gt;                                        cgroupfs, Guaranteed pod
 * /kubepods.slice/kubepods-besteffort.slice/
 *     kubepods-besteffort-pod&lt;uid_with_underscores&gt;.slice/cri-containerd-&lt;id&gt;.scope   systemd, containerd
 *     ... /crio-&lt;id&gt;.scope                                         systemd, CRI-O
 *     ... /docker-&lt;id&gt;.scope                                       systemd, Docker
 * /docker/&lt;id&gt;                                                    Docker without Kubernetes
 * </pre>
 *
 * CRI-O's monitor ({@code crio-conmon-<id>.scope}) and sandbox-level paths are not containers.
 *
 * @param id the 64 lower-case hex digits
 * @param podUid the pod's UID with dashes, or null when the path does not name it
 */
public record ContainerRef(String id, String podUid) {

  private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");

  /** The last path element: an ID with a runtime's prefix and .scope suffix, or bare. */
  private static final Pattern LEAF =
      Pattern.compile("(?:cri-containerd-|crio-|docker-|containerd-)?([0-9a-f]{64})(?:\\.scope)?");

  private static final Pattern POD =
      Pattern.compile(
          "pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\\.slice)?$");

  public ContainerRef {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("a container ID is 64 hex digits, not '" + id + "'");
    }
  }

  /**
   * The container of a pod status' {@code containerID}, e.g. {@code containerd://4f1c...}.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static ContainerRef fromStatus(String containerId) {
    String s = containerId == null ? "" : containerId.trim().toLowerCase(Locale.ROOT);
    int sep = s.indexOf("://");
    String id = sep >= 0 ? s.substring(sep + 3) : s;
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "container ID '"
              + containerId
              + "' is not RUNTIME://ID with a 64-hex-digit ID (containerd://, cri-o://, docker://)");
    }
    return new ContainerRef(id, null);
  }

  /**
   * The container of one line of {@code /proc/PID/cgroup} ({@code hierarchy:controllers:path}), or
   * null when the path is not a container's.
   */
  public static ContainerRef fromCgroupLine(String line) {
    int first = line.indexOf(':');
    int second = first < 0 ? -1 : line.indexOf(':', first + 1);
    return second < 0 ? null : fromCgroupPath(line.substring(second + 1));
  }

  /** The container of a cgroup path, or null when it is not a container's. */
  public static ContainerRef fromCgroupPath(String path) {
    String[] parts = path.split("/");
    if (parts.length == 0) return null;
    String leaf = parts[parts.length - 1];
    if (leaf.startsWith("crio-conmon-")) return null;
    Matcher m = LEAF.matcher(leaf);
    if (!m.matches()) return null;
    String pod = null;
    for (int i = parts.length - 2; i >= 0 && pod == null; i--) {
      Matcher p = POD.matcher(parts[i]);
      if (p.find()) pod = p.group(1).replace('_', '-');
    }
    return new ContainerRef(m.group(1), pod);
  }

  /** The first 12 hex digits, as tools print container IDs. */
  public String shortId() {
    return id.substring(0, 12);
  }

  @Override
  public String toString() {
    return shortId();
  }
}
