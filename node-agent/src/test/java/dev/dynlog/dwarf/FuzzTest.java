package dev.dynlog.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.testing.Compiler;
import dev.dynlog.testing.CppVariant;
import dev.dynlog.testing.ElfVariant;
import dev.dynlog.testing.GoVariant;
import dev.dynlog.testing.Targets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz-style robustness: {@link FuzzMain} mutates real Go and C++ binaries a few hundred times
 * (fixed seed) in a separate JVM with a 256 MB heap and 256 MB of direct memory; every mutant must
 * give a valid result or a ResolveException in bounded time, never a hang, a StackOverflowError, an
 * OutOfMemoryError or another exception.
 */
@Tag("toolchain")
class FuzzTest {
  private static final long SEED = 20261126L;
  private static final int ITERATIONS = 400;

  @TempDir Path dir;

  @Test
  void mutatedBinariesGiveResultsOrClearErrors() throws Exception {
    String cpp = "shop::price,shop::Cart::describe,login|shop::Cart";
    String go =
        "dynlog.dev/targets/shop.Sum,abi.Max,dynlog.dev/targets/shop.(*Service).Login|runtime.g";
    List<String> subjects =
        List.of(
            Targets.build(new CppVariant(Compiler.GXX, "O0")) + "|" + cpp,
            Targets.build(ElfVariant.CPP_DWARF4).binary() + "|" + cpp,
            Targets.build(ElfVariant.CPP_COMPRESSED_ZLIB).binary() + "|" + cpp,
            Targets.build(new GoVariant("go1.21.13", true)) + "|" + go,
            Targets.build(ElfVariant.GO_UNCOMPRESSED_DWARF).binary() + "|" + go);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:MaxDirectMemorySize=256m",
                "-cp",
                System.getProperty("java.class.path"),
                FuzzMain.class.getName(),
                Long.toString(SEED),
                Integer.toString(ITERATIONS),
                dir.toString()));
    cmd.addAll(subjects);
    Path log = dir.resolve("fuzz.log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(20, TimeUnit.MINUTES), "fuzzing JVM did not finish in 20 minutes");
    String out = Files.readString(log);
    System.out.println(out.lines().filter(l -> l.startsWith("fuzz:")).findFirst().orElse(out));
    assertTrue(out.contains("fuzz: iterations=" + ITERATIONS), out);
    assertEquals(0, p.exitValue(), out);
  }
}
