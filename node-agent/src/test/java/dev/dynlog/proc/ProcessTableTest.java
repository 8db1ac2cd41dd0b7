package dev.dynlog.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Processes as the host's /proc shows them, and a /proc tree written by hand for odd cases. */
class ProcessTableTest {

  @Test
  void thisProcessAndAKernelThread() {
    ProcessInfo self = ProcessTable.host().read((int) ProcessHandle.current().pid()).orElseThrow();
    assertEquals("java", self.comm());
    assertTrue(self.exe().endsWith("/bin/java"), self.exe());
    assertTrue(self.startTime() > 0);
    ProcessInfo kthreadd = ProcessTable.host().read(2).orElseThrow();
    assertNull(kthreadd.exe(), "a kernel thread has no executable");
    assertTrue(ProcessTable.host().read(Integer.MAX_VALUE).isEmpty());
  }

  @Test
  void aZombieIsSeenAsOne() throws Exception {
    // sh forks `true` then becomes `sleep`, which never reaps it: a zombie for as long as it sleeps
    Process p = new ProcessBuilder("/bin/sh", "-c", "/bin/true & exec /bin/sleep 30").start();
    try {
      ProcessInfo zombie = null;
      for (int i = 0; i < 200 && zombie == null; i++) {
        Path children = Path.of("/proc/" + p.pid() + "/task/" + p.pid() + "/children");
        String kids = Files.exists(children) ? Files.readString(children).trim() : "";
        if (!kids.isEmpty()) {
          ProcessInfo c =
              ProcessTable.host().read(Integer.parseInt(kids.split(" ")[0])).orElse(null);
          if (c != null && c.zombie()) zombie = c;
        }
        if (zombie == null) Thread.sleep(20);
      }
      assertTrue(zombie != null, "no zombie child appeared");
      assertNull(zombie.exe(), "a zombie has no executable");
    } finally {
      p.destroy();
    }
  }

  @Test
  void oddNamesContainersAndDeletedExecutables(@TempDir Path proc) throws Exception {
    String id = ContainerRefTest.ID;
    Path p = Files.createDirectories(proc.resolve("4242"));
    Files.writeString(
        p.resolve("stat"),
        "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 8123 0 0\n");
    Files.writeString(
        p.resolve("cgroup"),
        "1:name=systemd:/\n0::/kubepods/burstable/pod" + ContainerRefTest.POD + "/" + id + "\n");
    Files.createSymbolicLink(p.resolve("exe"), Path.of("/app/server (deleted)"));
    Files.createDirectories(proc.resolve("self"));
    List<ProcessInfo> all = new ProcessTable(proc).all();
    assertEquals(1, all.size(), "numeric directories only");
    ProcessInfo info = all.get(0);
    assertEquals("a (b) c", info.comm());
    assertEquals(8123, info.startTime());
    assertEquals("/app/server", info.exe());
    assertEquals(id, info.container().id());
    assertEquals(List.of(info), new ProcessTable(proc).inContainer(id));
    assertTrue(ProcessTable.matches(info, Pattern.compile("^/app/")));
    assertTrue(ProcessTable.matches(info, Pattern.compile("\\(b\\)")));
    assertFalse(ProcessTable.matches(info, Pattern.compile("^server$")));
    assertTrue(ProcessTable.matches(info, null));
  }
}
