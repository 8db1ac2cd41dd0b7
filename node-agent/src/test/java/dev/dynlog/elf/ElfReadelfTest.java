package dev.dynlog.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.testing.Compiler;
import dev.dynlog.testing.CppVariant;
import dev.dynlog.testing.ElfVariant;
import dev.dynlog.testing.GoVariant;
import dev.dynlog.testing.Targets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Section headers, program headers, symbols, build-id, virtual address → file offset and reads of
 * the loaded image must agree with readelf, nm and objdump on real binaries: a static Go
 * executable, a C++ PIE, a shared object, and binaries with compressed and .zdebug sections.
 */
@Tag("toolchain")
class ElfReadelfTest {
  private static final Pattern SECTION = Pattern.compile("^\\s*\\[\\s*(\\d+)\\] (.*)$");
  private static final Pattern SEGMENT =
      Pattern.compile(
          "^\\s+(\\S+)\\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) (.{3}) 0x([0-9a-f]+)$");
  private static final Pattern SYMBOL =
      Pattern.compile(
          "^\\s*(\\d+): ([0-9a-f]{16})\\s+(\\S+) (\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s?(.*)$");
  private static final Pattern FILE_OFFSET =
      Pattern.compile("^([0-9a-f]+) <(.*)> \\(File Offset: 0x([0-9a-f]+)\\):$");
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

  static List<Path> binaries() {
    List<Path> out = new ArrayList<>();
    out.add(Targets.build(new GoVariant(Targets.GO_VERSIONS.get(0), true)));
    out.add(
        Targets.build(
            new GoVariant(Targets.GO_VERSIONS.get(Targets.GO_VERSIONS.size() - 1), true)));
    out.add(Targets.build(new CppVariant(Compiler.GXX, "O2")));
    out.add(Targets.build(new CppVariant(Compiler.CLANGXX, "O0")));
    out.add(Targets.build(ElfVariant.CPP_SHARED_OBJECT).library().orElseThrow());
    out.add(Targets.build(ElfVariant.CPP_COMPRESSED_ZLIB).binary());
    out.add(Targets.build(ElfVariant.CPP_ZDEBUG_GNU).binary());
    out.add(Targets.build(ElfVariant.CPP_BUILD_ID_DEBUG_FILE).binary());
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("binaries")
  void sectionsMatchReadelf(Path binary) throws Exception {
    try (ElfFile elf = ElfFile.open(binary)) {
      List<String> expected = new ArrayList<>();
      for (String line : run("readelf", "-SW", binary.toString()).lines().toList()) {
        Matcher m = SECTION.matcher(line);
        if (!m.matches()) continue;
        List<String> f = new ArrayList<>(List.of(m.group(2).trim().split("\\s+")));
        if (m.group(1).equals("0")) f.add(0, "");
        if (f.size() == 9) f.add(6, ""); // no flags
        expected.add(
            m.group(1)
                + " "
                + f.get(0)
                + " "
                + Long.parseUnsignedLong(f.get(2), 16)
                + " "
                + Long.parseLong(f.get(3), 16)
                + " "
                + Long.parseLong(f.get(4), 16)
                + " "
                + Long.parseLong(f.get(5), 16)
                + " "
                + f.get(6).contains("C")
                + " "
                + f.get(7)
                + " "
                + f.get(8)
                + " "
                + f.get(9));
      }
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
      assertTrue(expected.size() > 20, "parsed readelf -S: " + expected.size());
      assertEquals(expected, actual);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("binaries")
  void segmentsMatchReadelf(Path binary) throws Exception {
    try (ElfFile elf = ElfFile.open(binary)) {
      List<String> expected = new ArrayList<>();
      for (String line : run("readelf", "-lW", binary.toString()).lines().toList()) {
        Matcher m = SEGMENT.matcher(line);
        if (m.matches()) {
          Integer type = SEGMENT_TYPES.get(m.group(1));
          String flags = m.group(7);
          int f =
              (flags.contains("R") ? 4 : 0)
                  | (flags.contains("W") ? 2 : 0)
                  | (flags.contains("E") ? 1 : 0);
          expected.add(
              (type == null ? "?" : type.toString())
                  + " "
                  + hex(m.group(2))
                  + " "
                  + hex(m.group(3))
                  + " "
                  + hex(m.group(4))
                  + " "
                  + hex(m.group(5))
                  + " "
                  + hex(m.group(6))
                  + " "
                  + f
                  + " "
                  + hex(m.group(8)));
        }
      }
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
      assertTrue(expected.size() >= 3, "parsed readelf -l");
      assertEquals(expected, actual);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("binaries")
  void symbolsAndBuildIdMatchReadelf(Path binary) throws Exception {
    try (ElfFile elf = ElfFile.open(binary)) {
      List<String> expected = new ArrayList<>();
      boolean dynamic = false;
      for (String line : run("readelf", "-sW", binary.toString()).lines().toList()) {
        if (line.startsWith("Symbol table ")) dynamic = line.contains("'.dynsym'");
        Matcher m = SYMBOL.matcher(line);
        if (m.matches() && !m.group(1).equals("0")) {
          String size =
              m.group(3).startsWith("0x")
                  ? Long.toString(Long.parseLong(m.group(3).substring(2), 16))
                  : m.group(3);
          // readelf appends "@VERSION (n)" to .dynsym names; .symtab names may contain '@'
          // themselves
          String name = dynamic ? m.group(8).replaceFirst("@.*$", "") : m.group(8);
          expected.add(
              dynamic
                  + " "
                  + name
                  + " "
                  + Long.parseUnsignedLong(m.group(2), 16)
                  + " "
                  + size
                  + " "
                  + m.group(4)
                  + " "
                  + m.group(5));
        }
      }
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
      assertTrue(expected.size() > 50, "parsed readelf -s: " + expected.size());
      assertSameElements(expected, actual, "symbols");

      String notes = run("readelf", "-n", binary.toString());
      Matcher id = Pattern.compile("Build ID: ([0-9a-f]+)").matcher(notes);
      assertEquals(id.find() ? id.group(1) : null, elf.buildId());
    }
  }

  /** The binaries that keep their .symtab (the build-id variant is stripped). */
  static List<Path> unstripped() {
    Path stripped = Targets.build(ElfVariant.CPP_BUILD_ID_DEBUG_FILE).binary();
    return binaries().stream().filter(p -> !p.equals(stripped)).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unstripped")
  void fileOffsetsAndReadsMatchObjdump(Path binary) throws Exception {
    try (ElfFile elf = ElfFile.open(binary)) {
      List<ElfSymbol> funcs =
          elf.symbols().all().stream()
              .filter(s -> s.type() == ElfSymbol.STT_FUNC && s.size() >= 8 && !s.dynamic())
              .limit(40)
              .toList();
      assertTrue(funcs.size() >= 10, "functions in " + binary);
      byte[] file = Files.readAllBytes(binary);
      int checked = 0;
      for (ElfSymbol s : funcs) {
        String dump =
            run(
                "objdump",
                "-d",
                "-F",
                "--start-address=0x" + Long.toHexString(s.value()),
                "--stop-address=0x" + Long.toHexString(s.value() + 1),
                binary.toString());
        for (String line : dump.lines().toList()) {
          Matcher m = FILE_OFFSET.matcher(line);
          if (m.matches()) {
            long off = Long.parseLong(m.group(3), 16);
            assertEquals(off, elf.fileOffset(s.value()), s.name());
            assertArrayEquals(
                Arrays.copyOfRange(file, (int) off, (int) off + 8),
                elf.read(s.value(), 8),
                s.name());
            checked++;
          }
        }
        ElfSymbol back = elf.symbols().containing(s.value() + s.size() / 2);
        assertNotNull(back, s.name());
        assertTrue(
            back.value() <= s.value() + s.size() / 2
                && s.value() + s.size() / 2 < back.value() + back.size());
      }
      assertEquals(funcs.size(), checked, "objdump -F gave a file offset for every function");
    }
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

  private static String hex(String s) {
    return Long.toString(Long.parseUnsignedLong(s, 16));
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

  static String run(String... cmd) throws IOException, InterruptedException {
    Path out = Files.createTempFile("elf-oracle", ".txt");
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectOutput(out.toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + String.join(" ", cmd));
      }
      if (p.exitValue() != 0)
        throw new AssertionError("exit " + p.exitValue() + ": " + String.join(" ", cmd));
      return Files.readString(out, StandardCharsets.UTF_8);
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
