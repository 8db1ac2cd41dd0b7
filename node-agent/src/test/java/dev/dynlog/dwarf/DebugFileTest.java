package dev.dynlog.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.elf.DebugFileLocator;
import dev.dynlog.elf.DebugLink;
import dev.dynlog.elf.ElfFile;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.testing.Compiler;
import dev.dynlog.testing.CppVariant;
import dev.dynlog.testing.ElfVariant;
import dev.dynlog.testing.GoVariant;
import dev.dynlog.testing.TargetBinary;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import dev.dynlog.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate debug files: found by build-id under a configurable root and by .gnu_debuglink in the
 * three conventional places, verified (build-id, CRC-32), and clear errors when missing or wrong.
 */
@Tag("toolchain")
class DebugFileTest {
  @TempDir Path dir;

  @Test
  void buildIdLookupUsesTheRootAndChecksTheId() throws Exception {
    TargetBinary t = Targets.build(ElfVariant.CPP_BUILD_ID_DEBUG_FILE);
    Path root = t.debugRoot().orElseThrow();
    String id = ElfReadelfOracle.buildId(t.binary());
    Path expected =
        root.resolve(".build-id").resolve(id.substring(0, 2)).resolve(id.substring(2) + ".debug");
    try (DwarfBinary b = DwarfBinary.open(t.binary(), new DebugFileLocator(List.of(root)))) {
      assertEquals(expected, b.debugFile().orElseThrow());
      assertEquals(id, b.buildId());
      var add = b.lookup("shop::addMoney").get(0);
      assertEquals(
          add.linkageName(),
          b.symbolize(add.lowPc()),
          "symbols come from the debug file of a stripped binary");
      String dump =
          ElfReadelfOracle.run(
              "objdump",
              "-d",
              "--start-address=0x" + Long.toHexString(add.lowPc()),
              "--stop-address=0x" + Long.toHexString(add.lowPc() + 1),
              t.binary().toString());
      Matcher insn =
          Pattern.compile("(?m)^\\s*" + Long.toHexString(add.lowPc()) + ":\\t((?:[0-9a-f]{2} )+)")
              .matcher(dump);
      assertTrue(insn.find(), dump);
      String[] hex = insn.group(1).trim().split(" ");
      byte[] code = b.read(add.lowPc(), hex.length);
      for (int i = 0; i < hex.length; i++)
        assertEquals(Integer.parseInt(hex[i], 16), code[i] & 0xff, "code byte " + i);
    }
    // No debug root with that id: the error says where it looked.
    Path empty = Files.createDirectories(dir.resolve("empty-root"));
    String msg = failure(t.binary(), new DebugFileLocator(List.of(empty)));
    assertTrue(
        msg.contains("has no DWARF") && msg.contains(id) && msg.contains(empty.toString()), msg);
    // A file at the right place with another build-id is rejected.
    Path wrongRoot = dir.resolve("wrong-root");
    Path wrong =
        wrongRoot
            .resolve(".build-id")
            .resolve(id.substring(0, 2))
            .resolve(id.substring(2) + ".debug");
    Files.createDirectories(wrong.getParent());
    Files.copy(Targets.build(new CppVariant(Compiler.GXX, "O0")), wrong);
    msg = failure(t.binary(), new DebugFileLocator(List.of(wrongRoot)));
    assertTrue(msg.contains("differs from " + id), msg);
  }

  @Test
  void debugLinkIsFoundInEachPlaceAndItsCrcChecked() throws Exception {
    TargetBinary t = Targets.build(ElfVariant.CPP_DEBUGLINK);
    Path debug = t.debugFile().orElseThrow();
    try (ElfFile elf = ElfFile.open(t.binary())) {
      DebugLink link = elf.debugLink();
      String readelf = ElfReadelfOracle.run("readelf", "--debug-dump=links", t.binary().toString());
      Matcher m = Pattern.compile("Separate debug info file: (\\S+)").matcher(readelf);
      assertTrue(m.find(), readelf);
      assertEquals(m.group(1), link.fileName());
      Matcher crc = Pattern.compile("CRC value: 0x([0-9a-f]+)").matcher(readelf);
      assertTrue(crc.find(), readelf);
      assertEquals(Long.parseLong(crc.group(1), 16), Integer.toUnsignedLong(link.crc()));
      assertEquals(debug.getFileName().toString(), link.fileName());
    }
    DebugFileLocator noRoot = new DebugFileLocator(List.of(dir.resolve("no-root")));

    // 1. next to the binary (as built)
    assertFound(t.binary(), noRoot, debug);
    // 2. in the binary's .debug/ subdirectory
    Path d2 = Files.createDirectories(dir.resolve("two"));
    Path bin2 = Files.copy(t.binary(), d2.resolve("cpptarget"));
    Path dbg2 = Files.createDirectories(d2.resolve(".debug")).resolve(debug.getFileName());
    Files.copy(debug, dbg2);
    assertFound(bin2, noRoot, dbg2);
    // 3. under ROOT/<binary's directory>/
    Path d3 = Files.createDirectories(dir.resolve("three"));
    Path bin3 = Files.copy(t.binary(), d3.resolve("cpptarget"));
    Path root3 = dir.resolve("root3");
    Path dbg3 =
        root3.resolve(d3.toAbsolutePath().toString().substring(1)).resolve(debug.getFileName());
    Files.createDirectories(dbg3.getParent());
    Files.copy(debug, dbg3);
    assertFound(bin3, new DebugFileLocator(List.of(root3)), dbg3);
    // A debug file whose CRC differs is rejected, and the error says so.
    Path d4 = Files.createDirectories(dir.resolve("four"));
    Path bin4 = Files.copy(t.binary(), d4.resolve("cpptarget"));
    byte[] bytes = Files.readAllBytes(debug);
    bytes[bytes.length - 1] ^= 1;
    Files.write(d4.resolve(debug.getFileName()), bytes);
    String msg = failure(bin4, noRoot);
    assertTrue(msg.contains("CRC-32") && msg.contains("differs"), msg);
  }

  /**
   * A running process traced by pid: its binary is {@code /proc/PID/exe}, and the debug file named
   * by .gnu_debuglink is found beside the executable that link points to (through {@code
   * /proc/PID/root}), not in {@code /proc/PID/}.
   */
  @Test
  void debugLinkBesideAProcesssExecutableIsFoundThroughItsPid() throws Exception {
    TargetBinary t = Targets.build(ElfVariant.CPP_DEBUGLINK);
    Path d = Files.createDirectories(dir.resolve("cpp"));
    Path bin = Files.copy(t.binary(), d.resolve("cpptarget"));
    Path debug = Files.copy(t.debugFile().orElseThrow(), d.resolve("cpptarget.debug"));
    assertFoundThroughPid(bin, debug, "shop::price", 3);
  }

  /** The same for a Go binary whose DWARF was moved into a debug file beside it. */
  @Test
  void debugLinkBesideAGoProcesssExecutableIsFoundThroughItsPid() throws Exception {
    Path go =
        Targets.build(new GoVariant(Targets.GO_VERSIONS.get(Targets.GO_VERSIONS.size() - 1), true));
    Path d = Files.createDirectories(dir.resolve("go"));
    Path full = Files.copy(go, d.resolve("gotarget.full"));
    Path debug = d.resolve("gotarget.debug");
    Path bin = d.resolve("gotarget");
    String objcopy = Tools.find("objcopy").toString();
    ElfReadelfOracle.run(objcopy, "--only-keep-debug", full.toString(), debug.toString());
    ElfReadelfOracle.run(
        objcopy, "--strip-debug", "--add-gnu-debuglink=" + debug, full.toString(), bin.toString());
    Files.delete(full);
    try (ElfFile elf = ElfFile.open(bin)) {
      assertFalse(elf.hasDwarf(), "stripped");
    }
    assertFoundThroughPid(bin, debug, "dynlog.dev/targets/shop.Sum", 1);
  }

  private void assertFoundThroughPid(Path bin, Path debug, String function, int count)
      throws Exception {
    DebugFileLocator noRoot = new DebugFileLocator(List.of(dir.resolve("no-root")));
    try (TargetProcess p = TargetProcess.start(bin, "-wait-stdin")) {
      p.awaitReady(Duration.ofSeconds(30));
      Path exe = Path.of("/proc/" + p.pid() + "/exe");
      Path reached = Path.of("/proc/" + p.pid() + "/root" + debug.toAbsolutePath());
      try (DwarfBinary b = DwarfBinary.open(exe, noRoot)) {
        assertEquals(reached, b.debugFile().orElseThrow());
        assertTrue(Files.isSameFile(debug, b.debugFile().orElseThrow()));
        assertEquals(count, b.lookup(function).size(), function);
      }
      // Without it, the error names the executable behind /proc/PID/exe and where it looked.
      Files.move(debug, dir.resolve("elsewhere.debug"));
      String msg = failure(exe, noRoot);
      assertTrue(
          msg.startsWith(
              exe
                  + " ("
                  + bin.toAbsolutePath()
                  + ") has no DWARF debug information (.debug_info); looked for a separate debug"
                  + " file"),
          msg);
      assertTrue(msg.contains("\" in [" + reached + ", "), msg);
      assertTrue(
          msg.contains(", or put its debug file (objcopy --only-keep-debug) at "),
          "advice: " + msg);
      assertTrue(
          msg.contains(" " + debug.toAbsolutePath() + ".")
              || msg.contains(" " + debug.toAbsolutePath() + ";"),
          "beside the executable, as its process sees it: " + msg);
      p.release();
    }
  }

  private static void assertFound(Path binary, DebugFileLocator locator, Path expected)
      throws Exception {
    try (DwarfBinary b = DwarfBinary.open(binary, locator)) {
      assertEquals(
          expected.toAbsolutePath().normalize(),
          b.debugFile().orElseThrow().toAbsolutePath().normalize());
      assertEquals(3, b.lookup("shop::price").size());
    }
  }

  private static String failure(Path binary, DebugFileLocator locator) {
    return assertThrows(
            ResolveException.class,
            () -> {
              try (DwarfBinary b = DwarfBinary.open(binary, locator)) {
                b.lookup("shop::price");
              }
            })
        .getMessage();
  }
}
