package dev.dynlog.dwarf;

import static dev.dynlog.dwarf.SyntheticElf.BASE;
import static dev.dynlog.dwarf.SyntheticElf.CU;
import static dev.dynlog.dwarf.SyntheticElf.PARAM;
import static dev.dynlog.dwarf.SyntheticElf.SUBPROGRAM;
import static dev.dynlog.dwarf.SyntheticElf.TEXT_ADDR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dynlog.dwarf.SyntheticElf.UnitBuilder;
import dev.dynlog.elf.DebugFileLocator;
import dev.dynlog.symbols.ResolveException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link DwarfBinary} says when a binary cannot be used, on hand-made ELF files: what to do
 * about missing DWARF in the words of the binary's own toolchain (Go or C/C++), a file that is not
 * a regular file, and a separate debug file beside the real binary that a symbolic link points to.
 */
class DwarfBinaryMessagesTest {
  private static final Path NO_ROOT = Path.of("/nonexistent-debug-root");
  private static final DebugFileLocator LOCATOR = new DebugFileLocator(List.of(NO_ROOT));

  @TempDir Path dir;

  private String failure(Path binary) {
    String message =
        assertThrows(
                ResolveException.class,
                () -> {
                  try (DwarfBinary b = DwarfBinary.open(binary, LOCATOR)) {
                    b.lookup("main.main");
                  }
                })
            .getMessage();
    assertFalse(message.contains("Exception"), message);
    return message;
  }

  /** A Go binary linked with -s -w: the advice is Go's, not the C compiler's -g. */
  @Test
  void aGoBinaryWithoutDwarfGetsGosAdvice() throws Exception {
    Path bin =
        new SyntheticElf()
            .section(".go.buildinfo", new byte[32])
            .section(".gopclntab", new byte[16])
            .write(dir.resolve("server"));
    assertEquals(
        bin
            + " has no DWARF debug information (.debug_info); looked for a separate debug file: the"
            + " binary has neither a build-id nor a .gnu_debuglink. It is a Go binary built without"
            + " DWARF: build it without -ldflags=-s or -w and do not strip it (go build keeps DWARF by"
            + " default).",
        failure(bin));
  }

  /** With a .gnu_debuglink the advice also says where its debug file is looked for. */
  @Test
  void aGoBinaryWithADebugLinkIsToldWhereItsDebugFileGoes() throws Exception {
    Path bin =
        new SyntheticElf()
            .section(".go.buildinfo", new byte[32])
            .section(".gnu_debuglink", debugLink("server.debug", 0x1234))
            .write(dir.resolve("server"));
    assertEquals(
        bin
            + " has no DWARF debug information (.debug_info); looked for a separate debug file, by"
            + " .gnu_debuglink \"server.debug\" in ["
            + dir.resolve("server.debug")
            + ", "
            + dir.resolve(".debug/server.debug")
            + ", "
            + NO_ROOT
            + dir
            + "/server.debug]. It is a Go binary built without DWARF: build it without -ldflags=-s"
            + " or -w and do not strip it (go build keeps DWARF by default), or put its debug file"
            + " (objcopy --only-keep-debug) at "
            + dir.resolve("server.debug")
            + ".",
        failure(bin));
  }

  @Test
  void aCBinaryWithoutDwarfIsToldToUseMinusG() throws Exception {
    Path bin = new SyntheticElf().write(dir.resolve("tool"));
    assertEquals(
        bin
            + " has no DWARF debug information (.debug_info); looked for a separate debug file: the"
            + " binary has neither a build-id nor a .gnu_debuglink. Rebuild it with -g.",
        failure(bin));
  }

  @Test
  void onlyARegularFileIsABinary() throws Exception {
    assertEquals(dir + " is not a regular file (it is a directory)", failure(dir));
    assertEquals(
        "/dev/zero is not a regular file (it is a character device)",
        failure(Path.of("/dev/zero")));
    assertEquals("no such file: " + dir.resolve("nope"), failure(dir.resolve("nope")));
    Path bin = new SyntheticElf().write(dir.resolve("tool"));
    assertNull(DwarfBinary.fileProblem(bin));
  }

  /**
   * A binary reached through a symbolic link finds the debug file beside the file the link points
   * to, as GDB does.
   */
  @Test
  void theDebugFileBesideTheRealBinaryIsFoundThroughALink() throws Exception {
    Path real = Files.createDirectories(dir.resolve("opt/app/bin"));
    UnitBuilder u = new UnitBuilder();
    u.code(CU).str("synthetic.c").u8(0x0c).u64(TEXT_ADDR);
    u.code(SUBPROGRAM).str("f").u64(TEXT_ADDR).u32(16);
    u.code(PARAM).str("p").ref("int");
    u.end();
    u.label("int").code(BASE).str("int").u8(5).u8(4);
    u.end();
    Path debug =
        new SyntheticElf()
            .section(".debug_abbrev", SyntheticElf.abbrevs())
            .section(".debug_info", u.bytes())
            .write(real.resolve("app.debug"));
    CRC32 crc = new CRC32();
    crc.update(Files.readAllBytes(debug));
    Path bin =
        new SyntheticElf()
            .section(".gnu_debuglink", debugLink("app.debug", (int) crc.getValue()))
            .write(real.resolve("app"));
    Path links = Files.createDirectories(dir.resolve("usr/bin"));
    Path link = Files.createSymbolicLink(links.resolve("app"), bin);
    try (DwarfBinary b = DwarfBinary.open(link, LOCATOR)) {
      assertEquals(debug, b.debugFile().orElseThrow());
      assertEquals(TEXT_ADDR, b.lookup("f").get(0).lowPc());
    }
  }

  /** A .gnu_debuglink section: the file name, NUL, padding to 4 bytes, the CRC-32. */
  static byte[] debugLink(String name, int crc) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    out.writeBytes(n);
    out.write(0);
    while (out.size() % 4 != 0) out.write(0);
    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(crc).array());
    return out.toByteArray();
  }
}
