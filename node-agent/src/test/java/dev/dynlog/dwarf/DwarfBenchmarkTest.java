package dev.dynlog.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Cold lookup of one function with its parameters in a large Go binary (kube-apiserver built with
 * DWARF, about 145 MB), in fresh JVMs, side by side with llvm-dwarfdump --name and gdb on the same
 * binary in the same run. Prints figures; asserts only that every tool found the function.
 *
 * <p>The binary is {@code $DYNLOG_BENCH_BINARY} or, by default, kube-apiserver built by this test
 * from its Go modules into {@code /var/cache/dynlog/dw-bench} (reused when present).
 */
@Tag("benchmark")
class DwarfBenchmarkTest {
  private static final String K8S_VERSION = "1.34.4";
  private static final String FUNCTION =
      "k8s.io/apiserver/pkg/server.(*GenericAPIServer).AddPostStartHook";
  private static final Pattern TIME = Pattern.compile("wall=([0-9.]+) rss_kb=(\\d+)");
  private static final int RUNS = 3;

  @Test
  void coldLookupInALargeGoBinary() throws Exception {
    Path binary = binary();
    System.out.printf("binary: %s (%.1f MB)%n", binary, Files.size(binary) / 1048576.0);
    for (int i = 0; i < RUNS; i++) {
      List<String> cmd =
          List.of(
              "/usr/bin/time",
              "-f",
              "wall=%e rss_kb=%M",
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-cp",
              System.getProperty("java.class.path"),
              BenchmarkMain.class.getName(),
              binary.toString(),
              FUNCTION);
      String out = run(cmd);
      String line =
          out.lines()
              .filter(l -> l.startsWith("bench:"))
              .findFirst()
              .orElseThrow(() -> new AssertionError(out));
      System.out.println(
          "dynlog (fresh JVM #"
              + (i + 1)
              + "): "
              + line.substring(7)
              + " | process "
              + timeOf(out));
      assertTrue(line.contains("matches=1"), line);
    }
    String dd =
        run(
            List.of(
                "/usr/bin/time",
                "-f",
                "wall=%e rss_kb=%M",
                DwarfdumpOracle.LLVM_DWARFDUMP.toString(),
                "--debug-info",
                "--name=" + FUNCTION,
                "--show-children",
                binary.toString()));
    assertTrue(dd.contains("DW_TAG_formal_parameter"), "llvm-dwarfdump found the function:\n" + dd);
    System.out.println("llvm-dwarfdump --name --show-children: " + timeOf(dd));
    String gdb =
        run(
            List.of(
                "/usr/bin/time",
                "-f",
                "wall=%e rss_kb=%M",
                "gdb",
                "-batch",
                "-nx",
                "-ex",
                "info address " + FUNCTION,
                "-ex",
                "info scope " + FUNCTION,
                binary.toString()));
    assertTrue(gdb.contains("is a function at address"), "gdb found the function:\n" + gdb);
    System.out.println("gdb -batch info address + info scope: " + timeOf(gdb));
  }

  private static String timeOf(String out) {
    Matcher m = TIME.matcher(out);
    assertTrue(m.find(), out);
    return String.format(
        "wall %.2f s, max RSS %.0f MB",
        Double.parseDouble(m.group(1)), Long.parseLong(m.group(2)) / 1024.0);
  }

  private static Path binary() throws Exception {
    String env = System.getenv("DYNLOG_BENCH_BINARY");
    if (env != null) return Path.of(env);
    Path dir = Path.of("/var/cache/dynlog/dw-bench");
    Path bin = dir.resolve("kube-apiserver");
    if (Files.isExecutable(bin)) return bin;
    Files.createDirectories(dir.resolve("mod"));
    String script =
        String.join(
            "\n",
            "set -euo pipefail",
            "cd " + dir.resolve("mod"),
            "export CGO_ENABLED=0 GOFLAGS=-mod=mod GOWORK=off",
            "go mod download -json k8s.io/kubernetes@v" + K8S_VERSION + " > k8s.json",
            "GM=$(sed -n 's/.*\"GoMod\": \"\\(.*\\)\".*/\\1/p' k8s.json)",
            "{ echo 'module dynlog.dev/dw-bench'; echo; echo 'go 1.24.0'; echo; echo 'require k8s.io/kubernetes v"
                + K8S_VERSION
                + "';",
            "  echo; echo 'replace ('; for m in $(grep -E '^\\s*k8s\\.io/[a-z0-9-]+ => \\./staging/' \"$GM\" | awk '{print $1}'); do",
            "  echo \"\t$m => $m v0." + K8S_VERSION.substring(2) + "\"; done; echo ')'; } > go.mod",
            "go get k8s.io/kubernetes/cmd/kube-apiserver@v" + K8S_VERSION,
            "go build -trimpath -o ../kube-apiserver.tmp k8s.io/kubernetes/cmd/kube-apiserver",
            "mv ../kube-apiserver.tmp ../kube-apiserver");
    String out = run(List.of("bash", "-c", script));
    assertTrue(Files.isExecutable(bin), "building kube-apiserver failed:\n" + out);
    return bin;
  }

  private static String run(List<String> cmd) throws Exception {
    Path log = Files.createTempFile("bench", ".log");
    try {
      Process p =
          new ProcessBuilder(new ArrayList<>(cmd))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      assertTrue(p.waitFor(60, TimeUnit.MINUTES), "timed out: " + cmd);
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
      return out;
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
