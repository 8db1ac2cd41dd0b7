package dev.dynlog.dwarf;

import dev.dynlog.testing.Require;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * readelf as an oracle: run for the DWARF tests (build-ids, debug links), and parsers of its {@code
 * -W} text ({@code -S}, {@code -l}, {@code -s}, {@code -n}, alone or together) for output stored
 * with the quick tier's fixtures.
 */
public final class ElfReadelfOracle {
  private static final Pattern BUILD_ID = Pattern.compile("Build ID: ([0-9a-f]+)");
  private static final Pattern SECTION = Pattern.compile("^\\s*\\[\\s*(\\d+)\\] (.*)$");
  private static final Pattern SEGMENT =
      Pattern.compile(
          "^\\s+(\\S+)\\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) (.{3}) 0x([0-9a-f]+)$");
  private static final Pattern SYMBOL =
      Pattern.compile(
          "^\\s*(\\d+): ([0-9a-f]{16})\\s+(\\S+) (\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s?(.*)$");

  /**
   * A line of {@code readelf -SW}; {@code flags} as readelf prints them (e.g. {@code AX}, {@code
   * C}).
   */
  public record SectionRow(
      int index,
      String name,
      String type,
      long addr,
      long offset,
      long size,
      long entSize,
      String flags,
      int link,
      int info,
      long align) {}

  /**
   * A line of {@code readelf -lW}; {@code type} as readelf names it, {@code flags} e.g. {@code R
   * E}.
   */
  public record SegmentRow(
      String type,
      long offset,
      long vaddr,
      long paddr,
      long fileSize,
      long memSize,
      String flags,
      long align) {}

  /**
   * A line of {@code readelf -sW} (symbol 0 left out); {@code dynamic} for {@code .dynsym}, whose
   * names lose readelf's {@code @VERSION (n)} suffix.
   */
  public record SymbolRow(
      boolean dynamic,
      int index,
      String name,
      long value,
      long size,
      String type,
      String bind,
      String ndx) {}

  private ElfReadelfOracle() {}

  static String buildId(Path binary) throws Exception {
    String notes = run("readelf", "-n", binary.toString());
    String id = buildIdIn(notes);
    if (id == null) throw new AssertionError(binary + " has no build-id:\n" + notes);
    return id;
  }

  /** The GNU build-id that {@code readelf -n} output shows, or null. */
  public static String buildIdIn(String readelf) {
    Matcher m = BUILD_ID.matcher(readelf);
    return m.find() ? m.group(1) : null;
  }

  /** The section table of {@code readelf -SW} output. */
  public static List<SectionRow> sections(String readelf) {
    List<SectionRow> out = new ArrayList<>();
    for (String line : readelf.lines().toList()) {
      Matcher m = SECTION.matcher(line);
      if (!m.matches()) continue;
      List<String> f = new ArrayList<>(List.of(m.group(2).trim().split("\\s+")));
      if (m.group(1).equals("0")) f.add(0, "");
      if (f.size() == 9) f.add(6, ""); // no flags
      if (f.size() != 10) throw new AssertionError("unexpected readelf -S line: " + line);
      out.add(
          new SectionRow(
              Integer.parseInt(m.group(1)),
              f.get(0),
              f.get(1),
              Long.parseUnsignedLong(f.get(2), 16),
              Long.parseLong(f.get(3), 16),
              Long.parseLong(f.get(4), 16),
              Long.parseLong(f.get(5), 16),
              f.get(6),
              Integer.parseInt(f.get(7)),
              Integer.parseInt(f.get(8)),
              Long.parseLong(f.get(9))));
    }
    return out;
  }

  /** The program headers of {@code readelf -lW} output. */
  public static List<SegmentRow> segments(String readelf) {
    List<SegmentRow> out = new ArrayList<>();
    for (String line : readelf.lines().toList()) {
      Matcher m = SEGMENT.matcher(line);
      if (m.matches()) {
        out.add(
            new SegmentRow(
                m.group(1),
                hex(m.group(2)),
                hex(m.group(3)),
                hex(m.group(4)),
                hex(m.group(5)),
                hex(m.group(6)),
                m.group(7),
                hex(m.group(8))));
      }
    }
    return out;
  }

  /** The symbols of {@code readelf -sW} output, both tables, in order. */
  public static List<SymbolRow> symbols(String readelf) {
    List<SymbolRow> out = new ArrayList<>();
    boolean dynamic = false;
    for (String line : readelf.lines().toList()) {
      if (line.startsWith("Symbol table ")) dynamic = line.contains("'.dynsym'");
      Matcher m = SYMBOL.matcher(line);
      if (m.matches() && !m.group(1).equals("0")) {
        long size =
            m.group(3).startsWith("0x") ? hex(m.group(3).substring(2)) : Long.parseLong(m.group(3));
        // readelf appends "@VERSION (n)" to .dynsym names; .symtab names may contain '@' themselves
        String name = dynamic ? m.group(8).replaceFirst("@.*$", "") : m.group(8);
        out.add(
            new SymbolRow(
                dynamic,
                Integer.parseInt(m.group(1)),
                name,
                hex(m.group(2)),
                size,
                m.group(4),
                m.group(5),
                m.group(7)));
      }
    }
    return out;
  }

  private static long hex(String s) {
    return Long.parseUnsignedLong(s, 16);
  }

  static String run(String... cmd) throws Exception {
    Require.notQuick(cmd[0], "toolchain");
    Path out = Files.createTempFile("readelf", ".txt");
    try {
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + String.join(" ", cmd));
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0)
        throw new AssertionError(
            "exit " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + text);
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
