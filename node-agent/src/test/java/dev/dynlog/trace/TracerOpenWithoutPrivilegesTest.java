package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.testing.Tools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Tracer.open() in a process stripped of every capability fails with one line saying why. */
@Tag("bpf")
class TracerOpenWithoutPrivilegesTest {
  static String open(List<String> prefix) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(
        List.of(
            java, "-cp", System.getProperty("java.class.path"), TracerOpenMain.class.getName()));
    return Tools.run(cmd.toArray(String[]::new)).trim();
  }

  @Test
  void withoutCapabilitiesTheErrorSaysWhatIsMissing() {
    String out =
        open(List.of("setpriv", "--bounding-set=-all", "--inh-caps=-all", "--ambient-caps=-all"));
    assertTrue(
        out.startsWith(
            "error: cannot load the BPF object into the kernel: Operation not permitted (errno 1)"
                + " (BPF needs root or CAP_BPF + CAP_PERFMON)"),
        out);
    assertEquals(1, out.lines().count(), out);
  }

  @Test
  void withCapabilitiesItOpens() {
    assertEquals("opened", open(List.of()));
  }
}
