package dev.dynlog.dwarf;

import static dev.dynlog.dwarf.SyntheticElf.ABSTRACT_SUBPROGRAM;
import static dev.dynlog.dwarf.SyntheticElf.ARRAY;
import static dev.dynlog.dwarf.SyntheticElf.BASE;
import static dev.dynlog.dwarf.SyntheticElf.BLOCK;
import static dev.dynlog.dwarf.SyntheticElf.CONST;
import static dev.dynlog.dwarf.SyntheticElf.CU;
import static dev.dynlog.dwarf.SyntheticElf.MEMBER;
import static dev.dynlog.dwarf.SyntheticElf.ORIGIN_SUBPROGRAM;
import static dev.dynlog.dwarf.SyntheticElf.PARAM;
import static dev.dynlog.dwarf.SyntheticElf.POINTER;
import static dev.dynlog.dwarf.SyntheticElf.STRUCT;
import static dev.dynlog.dwarf.SyntheticElf.SUBPROGRAM;
import static dev.dynlog.dwarf.SyntheticElf.SUBRANGE;
import static dev.dynlog.dwarf.SyntheticElf.TEXT_ADDR;
import static dev.dynlog.dwarf.SyntheticElf.TYPEDEF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.dwarf.SyntheticElf.UnitBuilder;
import dev.dynlog.elf.DebugFileLocator;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.types.Type;
import dev.dynlog.types.Type.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-made malformed ELF and DWARF: every case must end, within a few seconds and without a
 * StackOverflowError or OutOfMemoryError, in a valid result or a ResolveException that says what is
 * wrong.
 */
class MalformedInputTest {
  private static final Duration LIMIT = Duration.ofSeconds(20);
  private static final DebugFileLocator NO_ROOT =
      new DebugFileLocator(List.of(Path.of("/nonexistent-debug-root")));

  @TempDir Path dir;

  /** A unit: CU → f(p T) with the type DIEs added by {@code types}. */
  private Path withTypes(String paramType, Consumer<UnitBuilder> types) throws Exception {
    UnitBuilder u = new UnitBuilder();
    u.code(CU).str("synthetic.c").u8(0x0c).u64(TEXT_ADDR);
    u.code(SUBPROGRAM).str("f").u64(TEXT_ADDR).u32(16);
    u.code(PARAM).str("p").ref(paramType);
    u.end();
    types.accept(u);
    u.end();
    return new SyntheticElf()
        .section(".debug_abbrev", SyntheticElf.abbrevs())
        .section(".debug_info", u.bytes())
        .write(dir.resolve("synthetic"));
  }

  private static Function lookupF(Path binary) throws ResolveException {
    try (DwarfBinary b = DwarfBinary.open(binary, NO_ROOT)) {
      List<Function> fs = b.lookup("f");
      assertEquals(1, fs.size());
      assertEquals(TEXT_ADDR, fs.get(0).lowPc());
      return fs.get(0);
    }
  }

  private static String failure(Path binary, String function) {
    return assertThrows(
            ResolveException.class,
            () -> {
              try (DwarfBinary b = DwarfBinary.open(binary, NO_ROOT)) {
                b.lookup(function);
              }
            })
        .getMessage();
  }

  @Test
  void cyclicTypedefsResolveToAFiniteGraph() throws Exception {
    Path bin =
        withTypes(
            "a",
            u -> {
              u.label("a").code(TYPEDEF).str("A").ref("b");
              u.label("b").code(TYPEDEF).str("B").ref("a");
            });
    Type t = assertTimeoutPreemptively(LIMIT, () -> lookupF(bin)).parameters().get(0).type();
    assertEquals("A", t.name());
    assertEquals("B", t.target().name());
    assertEquals(t, t.target().target(), "the cycle is kept as a cycle, not unrolled");
    assertEquals(
        Kind.TYPEDEF, t.stripped().kind(), "stripped() gives up after a bounded number of steps");
  }

  @Test
  void selfQualifiedTypeAndSelfPointerTerminate() throws Exception {
    Path bin =
        withTypes(
            "c",
            u -> {
              u.label("c").code(CONST).ref("c");
              u.label("p").code(POINTER).ref("p").u8(8);
            });
    Type t = assertTimeoutPreemptively(LIMIT, () -> lookupF(bin)).parameters().get(0).type();
    assertEquals(Kind.QUALIFIER, t.kind());
    assertTrue(t.displayName().startsWith("const"), t.displayName());
  }

  @Test
  void veryLongTypedefChainDoesNotOverflowTheStack() throws Exception {
    int n = 100_000;
    Path bin =
        withTypes(
            "t0",
            u -> {
              for (int i = 0; i < n; i++)
                u.label("t" + i).code(TYPEDEF).str("T" + i).ref(i == n - 1 ? "int" : "t" + (i + 1));
              u.label("int").code(BASE).str("int").u8(5).u8(4);
            });
    Type t = assertTimeoutPreemptively(LIMIT, () -> lookupF(bin)).parameters().get(0).type();
    assertEquals("T0", t.name());
    assertEquals(4, t.size(), "sizes are propagated without recursion limits breaking them");
  }

  @Test
  void absurdArrayCountGivesUnknownSizeNotOverflow() throws Exception {
    Path bin =
        withTypes(
            "arr",
            u -> {
              u.label("arr").code(ARRAY).ref("long");
              u.code(SUBRANGE).u64(1L << 62);
              u.end();
              u.label("long").code(BASE).str("long").u8(5).u8(8);
            });
    Type t = assertTimeoutPreemptively(LIMIT, () -> lookupF(bin)).parameters().get(0).type();
    assertEquals(Kind.ARRAY, t.kind());
    assertEquals(1L << 62, t.count());
    assertEquals(-1, t.size(), "count × element size overflows: size unknown");
  }

  @Test
  void structWithManyMembersAndSelfPointer() throws Exception {
    Path bin =
        withTypes(
            "s",
            u -> {
              u.label("s").code(STRUCT).str("S").u8(16);
              u.code(MEMBER).str("next").ref("ps").u8(0);
              u.code(MEMBER).str("value").ref("int").u8(8);
              u.end();
              u.label("ps").code(POINTER).ref("s").u8(8);
              u.label("int").code(BASE).str("int").u8(5).u8(4);
            });
    Type s = assertTimeoutPreemptively(LIMIT, () -> lookupF(bin)).parameters().get(0).type();
    assertEquals(s, s.member("next").type().target());
    assertEquals(8, s.member("value").offset());
  }

  @Test
  void deeplyNestedWideTypesDoNotRescanForever() throws Exception {
    int depth = 900;
    int padding = 2000;
    UnitBuilder u = new UnitBuilder();
    u.code(CU).str("nested.cc").u8(0x0c).u64(TEXT_ADDR);
    u.code(SUBPROGRAM).str("f").u64(TEXT_ADDR).u32(16);
    u.code(PARAM).str("p").ref("s0");
    u.end();
    for (int i = 0; i < depth; i++) {
      u.label("s" + i).code(STRUCT).str("S" + i).u8(8);
      for (int k = 0; k < padding; k++) u.code(BASE).str("b").u8(5).u8(4);
    }
    for (int i = depth - 1; i >= 0; i--) {
      u.code(MEMBER).str("m").ref(i == depth - 1 ? "s" + i : "s" + (i + 1)).u8(0);
      u.end();
    }
    u.end();
    Path bin =
        new SyntheticElf()
            .section(".debug_abbrev", SyntheticElf.abbrevs())
            .section(".debug_info", u.bytes())
            .write(dir.resolve("nested"));
    // Each struct's children include every deeper struct: reading them naively rescans the unit
    // ~depth/2 times.
    Type t =
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> lookupF(bin))
            .parameters()
            .get(0)
            .type();
    assertTrue(t.name().equals("S0") || t.name().contains("rescan"), t.name());
  }

  @Test
  void deepDieNestingIsRejected() throws Exception {
    UnitBuilder u = new UnitBuilder();
    u.code(CU).str("deep.c").u8(0x0c).u64(TEXT_ADDR);
    u.code(SUBPROGRAM).str("f").u64(TEXT_ADDR).u32(16);
    for (int i = 0; i < 5000; i++) u.code(BLOCK);
    for (int i = 0; i < 5000; i++) u.end();
    u.end();
    u.end();
    Path bin =
        new SyntheticElf()
            .section(".debug_abbrev", SyntheticElf.abbrevs())
            .section(".debug_info", u.bytes())
            .write(dir.resolve("deep"));
    String msg = assertTimeoutPreemptively(LIMIT, () -> failure(bin, "f"));
    assertTrue(msg.contains("nesting deeper than"), msg);
  }

  @Test
  void cyclicAbstractOriginsEnd() throws Exception {
    UnitBuilder u = new UnitBuilder();
    u.code(CU).str("origin.c").u8(0x0c).u64(TEXT_ADDR);
    u.label("a").code(ABSTRACT_SUBPROGRAM).str("g").ref("b").u8(1);
    u.end();
    u.label("b").code(ABSTRACT_SUBPROGRAM).str("g2").ref("a").u8(1);
    u.end();
    u.code(ORIGIN_SUBPROGRAM).ref("a").u64(TEXT_ADDR).u32(16);
    u.end();
    u.end();
    Path bin =
        new SyntheticElf()
            .section(".debug_abbrev", SyntheticElf.abbrevs())
            .section(".debug_info", u.bytes())
            .write(dir.resolve("origin"));
    Function g =
        assertTimeoutPreemptively(
            LIMIT,
            () -> {
              try (DwarfBinary b = DwarfBinary.open(bin, NO_ROOT)) {
                return b.lookup("g").get(0);
              }
            });
    assertTrue(g.inlined(), "the abstract instance says DW_INL_inlined");
    assertEquals(TEXT_ADDR, g.lowPc());
  }

  @Test
  void absurdUnitLength() throws Exception {
    byte[] info = withTypesInfo();
    ByteBuffer.wrap(info).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x7fff0000);
    assertTrue(failure(write(info, SyntheticElf.abbrevs()), "f").contains("claims length"));
    ByteBuffer.wrap(info).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0xfffffff3);
    assertTrue(failure(write(info, SyntheticElf.abbrevs()), "f").contains("reserved unit length"));
  }

  @Test
  void unknownFormAndBadAbbrevOffset() throws Exception {
    byte[] abbrev = SyntheticElf.abbrevs();
    abbrev[abbrev.length - 4] =
        0x7f; // the form of the last attribute of the last abbreviation (MEMBER)
    UnitBuilder u = new UnitBuilder();
    u.code(CU).str("synthetic.c").u8(0x0c).u64(TEXT_ADDR);
    u.code(SUBPROGRAM).str("f").u64(TEXT_ADDR).u32(16);
    u.end();
    u.code(STRUCT).str("S").u8(4);
    u.code(MEMBER).str("m").ref("s").u8(0);
    u.end();
    u.label("s").code(BASE).str("int").u8(5).u8(4);
    u.code(SUBPROGRAM).str("g").u64(TEXT_ADDR + 16).u32(16);
    u.end();
    u.end();
    Path bin = write(u.bytes(), abbrev);
    assertEquals(TEXT_ADDR, lookupF(bin).lowPc(), "what precedes the bad DIE stays usable");
    String msg = failure(bin, "g");
    assertTrue(
        msg.contains("no function `g`")
            && msg.contains("could not be read")
            && msg.contains("unknown attribute form 0x7f"),
        msg);
    byte[] info = withTypesInfo();
    ByteBuffer.wrap(info).order(ByteOrder.LITTLE_ENDIAN).putInt(6, 0x10000);
    msg = failure(write(info, SyntheticElf.abbrevs()), "f");
    assertTrue(msg.contains(".debug_abbrev") && msg.contains("outside the section"), msg);
  }

  @Test
  void truncatedDebugInfo() throws Exception {
    byte[] info = withTypesInfo();
    byte[] cut = Arrays.copyOf(info, info.length - 7);
    String msg = failure(write(cut, SyntheticElf.abbrevs()), "f");
    assertTrue(msg.contains("past the section end"), msg);
  }

  @Test
  void unknownFunctionListsClosestNames() throws Exception {
    Path bin = withTypes("int", u -> u.label("int").code(BASE).str("int").u8(5).u8(4));
    String msg = failure(bin, "ff");
    assertTrue(msg.contains("no function `ff`") && msg.contains("closest names: f"), msg);
  }

  @Test
  void declaredAndInlinedOnlyFunctionsAreExplained() throws Exception {
    UnitBuilder u = new UnitBuilder();
    u.code(CU).str("decl.c").u8(0x0c).u64(TEXT_ADDR);
    u.code(SUBPROGRAM).str("f").u64(TEXT_ADDR).u32(16);
    u.end();
    u.label("self").code(ABSTRACT_SUBPROGRAM).str("inlinedOnly").ref("self").u8(1);
    u.end();
    u.label("self2").code(ABSTRACT_SUBPROGRAM).str("declaredOnly").ref("self2").u8(0);
    u.end();
    u.end();
    Path bin =
        new SyntheticElf()
            .section(".debug_abbrev", SyntheticElf.abbrevs())
            .section(".debug_info", u.bytes())
            .write(dir.resolve("decl"));
    String inl = failure(bin, "inlinedOnly");
    assertTrue(inl.contains("only inlined into its callers"), inl);
    String decl = failure(bin, "declaredOnly");
    assertTrue(decl.contains("declared but has no code here"), decl);
  }

  @Test
  void noDwarfAtAll() throws Exception {
    Path bin = new SyntheticElf().write(dir.resolve("nodwarf"));
    String msg = failure(bin, "f");
    assertTrue(
        msg.contains("has no DWARF") && msg.contains("neither a build-id nor a .gnu_debuglink"),
        msg);
  }

  // ---- ELF-level corruption ----

  @Test
  void corruptElfHeaders() throws Exception {
    Path good = withTypes("int", u -> u.label("int").code(BASE).str("int").u8(5).u8(4));
    byte[] orig = Files.readAllBytes(good);
    assertOpenFails(Arrays.copyOf(orig, 0), "shorter than an ELF header");
    assertOpenFails(Arrays.copyOf(orig, 10), "shorter than an ELF header");
    assertOpenFails(patch(orig, 0, (byte) 0), "no \\x7fELF magic");
    assertOpenFails(patch(orig, 4, (byte) 1), "not a 64-bit ELF");
    assertOpenFails(patch(orig, 18, (byte) 40), "not an x86-64 ELF");
    assertOpenFails(patchLong(orig, 40, 1L << 40), "section header 0");
    assertOpenFails(patchShort(orig, 60, 0xfff0), "absurd section count");
    assertOpenFails(patchShort(orig, 58, 40), "section header entry size");
    assertOpenFails(patchShort(orig, 56, 0xffff), "program header table");
    assertOpenFails(patchShort(orig, 62, 500), "section name table index");
    assertOpenFails(Arrays.copyOf(orig, orig.length - 100), "outside the file");
  }

  @Test
  void corruptCompressedSections() throws Exception {
    byte[] info = withTypesInfo();
    byte[] z = zlib(info);
    ByteBuffer chdr = ByteBuffer.allocate(24 + z.length).order(ByteOrder.LITTLE_ENDIAN);
    chdr.putInt(1).putInt(0).putLong(info.length).putLong(1).put(z);
    byte[] good = chdr.array();
    Path ok = writeCompressed(good);
    assertEquals(TEXT_ADDR, lookupF(ok).lowPc());

    byte[] absurd = good.clone();
    ByteBuffer.wrap(absurd).order(ByteOrder.LITTLE_ENDIAN).putLong(8, 1L << 40);
    assertTrue(failure(writeCompressed(absurd), "f").contains("impossible uncompressed size"));
    byte[] lying = good.clone();
    ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putLong(8, info.length + 1000);
    assertTrue(failure(writeCompressed(lying), "f").contains("declares"));
    byte[] garbage = good.clone();
    for (int i = 26; i < garbage.length; i++) garbage[i] ^= 0x5a;
    String msg = failure(writeCompressed(garbage), "f");
    assertTrue(msg.contains("corrupt zlib data") || msg.contains("truncated"), msg);
    byte[] zstd = good.clone();
    zstd[0] = 2;
    assertTrue(failure(writeCompressed(zstd), "f").contains("zstd"));
  }

  private Path writeCompressed(byte[] section) throws Exception {
    Path p =
        new SyntheticElf()
            .section(".debug_abbrev", SyntheticElf.abbrevs())
            .section(".debug_info", section)
            .write(dir.resolve("compressed"));
    // set SHF_COMPRESSED on .debug_info (section 3)
    byte[] b = Files.readAllBytes(p);
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    long shoff = bb.getLong(40);
    bb.putLong((int) shoff + 3 * 64 + 8, 0x800);
    Files.write(p, b);
    return p;
  }

  private static byte[] zlib(byte[] in) {
    Deflater d = new Deflater();
    d.setInput(in);
    d.finish();
    byte[] buf = new byte[in.length + 64];
    int n = d.deflate(buf);
    d.end();
    return Arrays.copyOf(buf, n);
  }

  private byte[] withTypesInfo() throws Exception {
    UnitBuilder u = new UnitBuilder();
    u.code(CU).str("synthetic.c").u8(0x0c).u64(TEXT_ADDR);
    u.code(SUBPROGRAM).str("f").u64(TEXT_ADDR).u32(16);
    u.code(PARAM).str("p").ref("int");
    u.end();
    u.label("int").code(BASE).str("int").u8(5).u8(4);
    u.end();
    return u.bytes();
  }

  private Path write(byte[] info, byte[] abbrev) throws Exception {
    return new SyntheticElf()
        .section(".debug_abbrev", abbrev)
        .section(".debug_info", info)
        .write(dir.resolve("m"));
  }

  private void assertOpenFails(byte[] image, String expected) throws Exception {
    Path p = dir.resolve("corrupt");
    Files.write(p, image);
    ResolveException e =
        assertThrows(
            ResolveException.class,
            () -> {
              try (DwarfBinary b = DwarfBinary.open(p, NO_ROOT)) {
                b.lookup("f");
              }
            });
    assertTrue(
        e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
    assertTrue(e.getMessage().contains(p.toString()), "names the file: " + e.getMessage());
  }

  private static byte[] patch(byte[] b, int off, byte v) {
    byte[] c = b.clone();
    c[off] = v;
    return c;
  }

  private static byte[] patchShort(byte[] b, int off, int v) {
    byte[] c = b.clone();
    ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putShort(off, (short) v);
    return c;
  }

  private static byte[] patchLong(byte[] b, int off, long v) {
    byte[] c = b.clone();
    ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(off, v);
    return c;
  }
}
