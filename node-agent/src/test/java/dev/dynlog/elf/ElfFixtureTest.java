package dev.dynlog.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.dwarf.ElfReadelfOracle;
import dev.dynlog.dwarf.ElfReadelfOracle.SectionRow;
import dev.dynlog.dwarf.ElfReadelfOracle.SymbolRow;
import dev.dynlog.testing.Testdata;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Quick tier: the ELF reader on the checked-in fixtures (C at -O0/-O2, C with zlib-compressed
 * DWARF, C++, a static Go executable) against the {@code readelf -W -h -l -S -s -n} output stored
 * with them: section headers, program headers, both symbol tables, the build-id, virtual address →
 * file offset and reads of the loaded image.
 */
class ElfFixtureTest {
  private static final Map<String, Integer> SEGMENT_TYPES =
      Map.of(
          "NULL",
          0,
          "LOAD",
          1,
          "DYNAMIC",
          2,
          "INTERP",
          3,
          "NOTE",
          4,
          "PHDR",
          6,
          "TLS",
          7,
          "GNU_EH_FRAME",
          0x6474e550,
          "GNU_STACK",
          0x6474e551,
          "GNU_RELRO",
          0x6474e552);

  static List<Testdata> fixtures() {
    return Testdata.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void sectionsMatchReadelf(Testdata t) throws Exception {
    List<String> expected =
        ElfReadelfOracle.sections(t.readelf()).stream()
            .map(
                s ->
                    s.index()
                        + " "
                        + s.name()
                        + " "
                        + s.addr()
                        + " "
                        + s.offset()
                        + " "
                        + s.size()
                        + " "
                        + s.entSize()
                        + " "
                        + s.flags().contains("C")
                        + " "
                        + s.link()
                        + " "
                        + s.info()
                        + " "
                        + s.align())
            .toList();
    try (ElfFile elf = ElfFile.open(t.binary())) {
      List<String> actual =
          elf.sections().stream()
              .map(
                  s ->
                      s.index()
                          + " "
                          + s.name()
                          + " "
                          + s.addr()
                          + " "
                          + s.offset()
                          + " "
                          + s.size()
                          + " "
                          + s.entSize()
                          + " "
                          + s.compressed()
                          + " "
                          + s.link()
                          + " "
                          + s.info()
                          + " "
                          + s.addrAlign())
              .toList();
      assertTrue(expected.size() > 15, "parsed readelf -S: " + expected.size());
      assertEquals(expected, actual);
      boolean compressedDwarf = t.go() || t.equals(Testdata.C_O2_ZLIB);
      assertEquals(
          compressedDwarf, elf.section(".debug_info").compressed(), ".debug_info compressed");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void segmentsMatchReadelf(Testdata t) throws Exception {
    List<String> expected =
        ElfReadelfOracle.segments(t.readelf()).stream()
            .map(
                s -> {
                  Integer type = SEGMENT_TYPES.get(s.type());
                  int f =
                      (s.flags().contains("R") ? 4 : 0)
                          | (s.flags().contains("W") ? 2 : 0)
                          | (s.flags().contains("E") ? 1 : 0);
                  return (type == null ? "?" : type.toString())
                      + " "
                      + s.offset()
                      + " "
                      + s.vaddr()
                      + " "
                      + s.paddr()
                      + " "
                      + s.fileSize()
                      + " "
                      + s.memSize()
                      + " "
                      + f
                      + " "
                      + s.align();
                })
            .toList();
    try (ElfFile elf = ElfFile.open(t.binary())) {
      List<String> actual =
          elf.segments().stream()
              .map(
                  s ->
                      (SEGMENT_TYPES.containsValue(s.type()) ? Integer.toString(s.type()) : "?")
                          + " "
                          + s.offset()
                          + " "
                          + s.vaddr()
                          + " "
                          + s.paddr()
                          + " "
                          + s.fileSize()
                          + " "
                          + s.memSize()
                          + " "
                          + (s.flags() & 7)
                          + " "
                          + s.align())
              .toList();
      assertTrue(expected.size() >= 3, "parsed readelf -l: " + expected.size());
      assertEquals(expected, actual);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void symbolsAndBuildIdMatchReadelf(Testdata t) throws Exception {
    String readelf = t.readelf();
    List<String> expected =
        ElfReadelfOracle.symbols(readelf).stream()
            .map(
                s ->
                    s.dynamic()
                        + " "
                        + s.name()
                        + " "
                        + s.value()
                        + " "
                        + s.size()
                        + " "
                        + s.type()
                        + " "
                        + s.bind())
            .toList();
    try (ElfFile elf = ElfFile.open(t.binary())) {
      List<String> actual =
          elf.symbols().all().stream()
              .map(
                  s ->
                      s.dynamic()
                          + " "
                          + s.name()
                          + " "
                          + s.value()
                          + " "
                          + s.size()
                          + " "
                          + typeName(s.type())
                          + " "
                          + bindName(s.bind()))
              .toList();
      assertTrue(expected.size() > 30, "parsed readelf -s: " + expected.size());
      assertSameElements(expected, actual, "symbols");
      String id = ElfReadelfOracle.buildIdIn(readelf);
      assertNotNull(id, "every fixture has a GNU build-id note");
      assertEquals(id, elf.buildId());
    }
  }

  /**
   * Each function's entry maps to the file offset readelf's section table implies (section offset
   * plus the distance from the section's address), and the bytes read there are the file's.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void fileOffsetsAndReadsMatchReadelf(Testdata t) throws Exception {
    String readelf = t.readelf();
    List<SectionRow> sections = ElfReadelfOracle.sections(readelf);
    List<SymbolRow> functions =
        ElfReadelfOracle.symbols(readelf).stream()
            .filter(s -> !s.dynamic() && s.type().equals("FUNC") && s.size() > 0)
            .toList();
    assertTrue(functions.size() >= 8, "functions in " + t);
    byte[] file = Files.readAllBytes(t.binary());
    try (ElfFile elf = ElfFile.open(t.binary())) {
      for (SymbolRow s : functions) {
        SectionRow in =
            sections.stream()
                .filter(
                    x ->
                        x.flags().contains("A")
                            && !x.type().equals("NOBITS")
                            && x.addr() <= s.value()
                            && s.value() < x.addr() + x.size())
                .findFirst()
                .orElseThrow(() -> new AssertionError(s.name() + " is in no section"));
        long offset = in.offset() + (s.value() - in.addr());
        assertEquals(offset, elf.fileOffset(s.value()), s.name());
        int n = (int) Math.min(8, s.size());
        assertArrayEquals(
            Arrays.copyOfRange(file, (int) offset, (int) offset + n),
            elf.read(s.value(), n),
            s.name());
        long middle = s.value() + s.size() / 2;
        ElfSymbol back = elf.symbols().containing(middle);
        assertNotNull(back, s.name());
        assertTrue(
            back.value() <= middle && middle < back.value() + back.size(),
            s.name() + " vs " + back);
      }
    }
  }

  /**
   * c-O2-zlib is c-O2 built with {@code -gz=zlib} as well: these DWARF sections of it,
   * decompressed, are byte for byte the uncompressed ones of c-O2 at the offsets and sizes readelf
   * shows for them ({@code objcopy --decompress-debug-sections} agrees). .debug_str and .debug_info
   * differ: the producer string names {@code -gz=zlib}, which moves the string offsets.
   */
  @Test
  void compressedSectionsDecompressToTheUncompressedBuildsBytes() throws Exception {
    List<SectionRow> plain = ElfReadelfOracle.sections(Testdata.C_O2.readelf());
    List<SectionRow> zlib = ElfReadelfOracle.sections(Testdata.C_O2_ZLIB.readelf());
    byte[] plainFile = Files.readAllBytes(Testdata.C_O2.binary());
    int compared = 0;
    try (ElfFile elf = ElfFile.open(Testdata.C_O2_ZLIB.binary())) {
      for (String name :
          List.of(".debug_aranges", ".debug_abbrev", ".debug_line", ".debug_loclists")) {
        assertTrue(row(zlib, name).flags().contains("C"), "readelf shows " + name + " compressed");
        SectionRow p = row(plain, name);
        byte[] expected =
            Arrays.copyOfRange(plainFile, (int) p.offset(), (int) (p.offset() + p.size()));
        ByteBuffer data = elf.sectionData(name);
        byte[] actual = new byte[data.remaining()];
        data.get(actual);
        assertArrayEquals(expected, actual, name);
        compared++;
      }
    }
    assertEquals(4, compared);
  }

  private static SectionRow row(List<SectionRow> sections, String name) {
    return sections.stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("readelf shows no " + name));
  }

  /** Equal as multisets; the message shows only the differences. */
  static void assertSameElements(List<String> expected, List<String> actual, String what) {
    List<String> missing = new ArrayList<>(expected);
    actual.forEach(missing::remove);
    List<String> extra = new ArrayList<>(actual);
    expected.forEach(extra::remove);
    assertTrue(
        missing.isEmpty() && extra.isEmpty(),
        what + ": missing " + head(missing) + ", unexpected " + head(extra));
  }

  private static List<String> head(List<String> l) {
    return l.subList(0, Math.min(10, l.size()));
  }

  private static String typeName(int t) {
    return switch (t) {
      case 0 -> "NOTYPE";
      case 1 -> "OBJECT";
      case 2 -> "FUNC";
      case 3 -> "SECTION";
      case 4 -> "FILE";
      case 5 -> "COMMON";
      case 6 -> "TLS";
      case 10 -> "IFUNC";
      default -> "<" + t + ">";
    };
  }

  private static String bindName(int b) {
    return switch (b) {
      case 0 -> "LOCAL";
      case 1 -> "GLOBAL";
      case 2 -> "WEAK";
      case 10 -> "UNIQUE";
      default -> "<" + b + ">";
    };
  }
}
