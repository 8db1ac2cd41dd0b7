package dev.dynlog.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Container IDs from {@code /proc/PID/cgroup} lines of every layout: cgroup v1 and v2, the cgroupfs
 * and systemd drivers, containerd, CRI-O and Docker. The lines are as those systems write them (the
 * containerd/cgroupfs ones as this project's test cluster shows them, DESIGN.md).
 */
class ContainerRefTest {
  static final String ID = "4f1c2b3a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807f6e5d4c3b2a19080";
  static final String POD = "7e1d4a9c-2b3f-4c5d-8e9f-0a1b2c3d4e5f";
  static final String POD_ = POD.replace('-', '_');

  static void container(String line, String pod) {
    ContainerRef c = ContainerRef.fromCgroupLine(line);
    assertEquals(new ContainerRef(ID, pod), c, line);
  }

  @Test
  void cgroupV1CgroupfsAsKubeletWritesIt() {
    container("4:memory:/kubepods/burstable/pod" + POD + "/" + ID, POD);
    container("11:cpu,cpuacct:/kubepods/besteffort/pod" + POD + "/" + ID, POD);
    container("7:pids:/kubepods/pod" + POD + "/" + ID, POD); // Guaranteed
    container("1:name=systemd:/kubepods/burstable/pod" + POD + "/" + ID, POD);
  }

  @Test
  void cgroupV2Cgroupfs() {
    container("0::/kubepods/burstable/pod" + POD + "/" + ID, POD);
    container("0::/kubepods/pod" + POD + "/" + ID, POD);
  }

  @Test
  void systemdDriverWithContainerdCrioAndDocker() {
    String slice =
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + POD_ + ".slice/";
    container("0::" + slice + "cri-containerd-" + ID + ".scope", POD);
    container("0::" + slice + "crio-" + ID + ".scope", POD);
    container("0::" + slice + "docker-" + ID + ".scope", POD);
    container("12:memory:" + slice + "cri-containerd-" + ID + ".scope", POD);
    container(
        "0::/kubepods.slice/kubepods-pod" + POD_ + ".slice/cri-containerd-" + ID + ".scope", POD);
    // kind: the node's kubelet under its own slice
    container(
        "0::/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
            + "kubelet-kubepods-besteffort-pod"
            + POD_
            + ".slice/cri-containerd-"
            + ID
            + ".scope",
        POD);
  }

  @Test
  void dockerWithoutKubernetes() {
    container("0::/docker/" + ID, null);
    container("0::/system.slice/docker-" + ID + ".scope", null);
  }

  @Test
  void notContainers() {
    assertNull(ContainerRef.fromCgroupLine("0::/"));
    assertNull(ContainerRef.fromCgroupLine("0::/user.slice/user-0.slice/session-1.scope"));
    assertNull(
        ContainerRef.fromCgroupLine("4:memory:/process_api/e7db4e665c489ba8382eb0d880652744"));
    assertNull(ContainerRef.fromCgroupLine("0::/kubepods/burstable/pod" + POD));
    String slice =
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + POD_ + ".slice/";
    assertNull(
        ContainerRef.fromCgroupLine("0::" + slice + "crio-conmon-" + ID + ".scope"),
        "CRI-O's monitor");
    assertNull(ContainerRef.fromCgroupLine("garbage"));
  }

  @Test
  void podStatusIds() {
    assertEquals(ID, ContainerRef.fromStatus("containerd://" + ID).id());
    assertEquals(ID, ContainerRef.fromStatus("cri-o://" + ID).id());
    assertEquals(ID, ContainerRef.fromStatus("docker://" + ID.toUpperCase()).id());
    String e =
        assertThrows(
                IllegalArgumentException.class, () -> ContainerRef.fromStatus("containerd://abc"))
            .getMessage();
    assertTrue(e.contains("64-hex-digit"), e);
  }
}
