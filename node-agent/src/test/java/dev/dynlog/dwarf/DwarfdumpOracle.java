package dev.dynlog.dwarf;

import dev.dynlog.testing.Require;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The independent view of a binary's DWARF: the text of {@code llvm-dwarfdump --debug-info} (run
 * here, or stored with a quick-tier fixture), indexed by DIE offset and name, with DIEs parsed on
 * demand. Nothing here uses dynlog's reader.
 */
public final class DwarfdumpOracle {
  static final Path LLVM_DWARFDUMP = Path.of("/usr/bin/llvm-dwarfdump");
  private static final Pattern DIE_LINE = Pattern.compile("^0x([0-9a-f]+):( +)(DW_TAG_\\w+|NULL)");
  private static final Pattern ATTR_LINE = Pattern.compile("^\\s+(DW_AT_\\w+)\\t\\((.*)$");
  private static final Pattern RANGE = Pattern.compile("\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)");
  private static final Pattern REF = Pattern.compile("^0x([0-9a-f]+)(?: \"(.*)\")?\\)?$");

  /** One DIE as llvm-dwarfdump prints it. */
  public record ODie(long offset, int depth, String tag, Map<String, String> attrs) {
    /** DW_AT_name without quotes, or null. */
    public String name() {
      return unquote(attrs.get("DW_AT_name"));
    }

    /** The offset a reference attribute points to, or -1. */
    public long ref(String attr) {
      String v = attrs.get(attr);
      if (v == null) return -1;
      Matcher m = REF.matcher(v);
      return m.matches() ? Long.parseLong(m.group(1), 16) : -1;
    }

    /** The type name llvm-dwarfdump prints after a reference, or null. */
    public String refName(String attr) {
      String v = attrs.get(attr);
      if (v == null) return null;
      Matcher m = REF.matcher(v);
      return m.matches() ? m.group(2) : null;
    }

    /** A numeric attribute (hex or decimal), or -1. */
    public long number(String attr) {
      String v = attrs.get(attr);
      if (v == null) return -1;
      v = v.endsWith(")") ? v.substring(0, v.length() - 1) : v;
      if (v.startsWith("0x")) return Long.parseUnsignedLong(v.substring(2), 16);
      return v.matches("-?\\d+") ? Long.parseLong(v) : -1;
    }

    /** The address ranges of DW_AT_low_pc/high_pc or DW_AT_ranges, as [low, high) pairs. */
    List<long[]> ranges() {
      List<long[]> out = new ArrayList<>();
      if (attrs.containsKey("DW_AT_low_pc") && attrs.containsKey("DW_AT_high_pc")) {
        out.add(new long[] {number("DW_AT_low_pc"), number("DW_AT_high_pc")});
      } else if (attrs.containsKey("DW_AT_ranges")) {
        Matcher m = RANGE.matcher(attrs.get("DW_AT_ranges"));
        while (m.find())
          out.add(
              new long[] {
                Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16)
              });
      }
      return out;
    }

    /** True when a flag attribute is set. */
    public boolean flag(String attr) {
      String v = attrs.get(attr);
      return v != null && (v.startsWith("true") || v.startsWith("0x01"));
    }
  }

  private final Path binary;
  private final List<String> lines;
  private final Map<Long, Integer> lineOfDie = new HashMap<>();
  private final Map<String, List<Long>> byName = new HashMap<>();
  private final Map<String, List<Long>> byLinkageName = new HashMap<>();
  private final List<Long> inlinedOrigins = new ArrayList<>();

  private DwarfdumpOracle(Path binary, List<String> lines) {
    this.binary = binary;
    this.lines = lines;
    long current = -1;
    String currentTag = null;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.startsWith("0x")) {
        Matcher m = DIE_LINE.matcher(l);
        if (m.find()) {
          current = Long.parseLong(m.group(1), 16);
          currentTag = m.group(3);
          lineOfDie.put(current, i);
        }
        continue;
      }
      int name = l.indexOf("DW_AT_name\t(\"");
      if (name >= 0 && current >= 0)
        byName
            .computeIfAbsent(unquote(l.substring(name + 12).trim()), k -> new ArrayList<>())
            .add(current);
      int link = l.indexOf("DW_AT_linkage_name\t(\"");
      if (link >= 0 && current >= 0) {
        byLinkageName
            .computeIfAbsent(unquote(l.substring(link + 20).trim()), k -> new ArrayList<>())
            .add(current);
      }
      if ("DW_TAG_inlined_subroutine".equals(currentTag)
          && l.contains("DW_AT_abstract_origin\t(")) {
        Matcher m = Pattern.compile("\\(0x([0-9a-f]+)").matcher(l);
        if (m.find()) inlinedOrigins.add(Long.parseLong(m.group(1), 16));
      }
    }
  }

  /**
   * Reads a stored {@code llvm-dwarfdump --debug-info} listing of {@code binary} (a quick-tier
   * fixture's; it may hold several listings of chosen DIEs one after another).
   */
  public static DwarfdumpOracle parse(Path binary, Path listing) throws IOException {
    return new DwarfdumpOracle(binary, Files.readAllLines(listing, StandardCharsets.UTF_8));
  }

  /** Runs {@code llvm-dwarfdump --debug-info} on a binary (or its separate debug file). */
  static DwarfdumpOracle of(Path binary) throws IOException, InterruptedException {
    Require.notQuick("llvm-dwarfdump", "toolchain");
    if (!Files.isExecutable(LLVM_DWARFDUMP)) {
      throw new AssertionError(
          "llvm-dwarfdump is required as the test oracle but " + LLVM_DWARFDUMP + " is missing");
    }
    Path out = Files.createTempFile("dwarfdump", ".txt");
    try {
      Process p =
          new ProcessBuilder(LLVM_DWARFDUMP.toString(), "--debug-info", binary.toString())
              .redirectOutput(out.toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(3, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("llvm-dwarfdump timed out on " + binary);
      }
      if (p.exitValue() != 0)
        throw new AssertionError("llvm-dwarfdump failed on " + binary + ": exit " + p.exitValue());
      return new DwarfdumpOracle(binary, Files.readAllLines(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  static String unquote(String v) {
    if (v == null) return null;
    if (v.endsWith(")")) v = v.substring(0, v.length() - 1);
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\""))
      v = v.substring(1, v.length() - 1);
    return v;
  }

  Path binary() {
    return binary;
  }

  /** The DIE at an offset of .debug_info; fails when the listing does not show it. */
  public ODie die(long offset) {
    Integer i = lineOfDie.get(offset);
    if (i == null)
      throw new AssertionError(
          "llvm-dwarfdump shows no DIE at 0x" + Long.toHexString(offset) + " in " + binary);
    Matcher m = DIE_LINE.matcher(lines.get(i));
    if (!m.find()) throw new AssertionError("bad DIE line " + lines.get(i));
    int depth = (m.group(2).length() - 1) / 2;
    Map<String, String> attrs = new LinkedHashMap<>();
    String last = null;
    for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("0x"); j++) {
      Matcher a = ATTR_LINE.matcher(lines.get(j));
      if (a.matches()) {
        last = a.group(1);
        attrs.put(last, a.group(2));
      } else if (last != null && !lines.get(j).isBlank()) {
        attrs.put(
            last,
            attrs.get(last) + "\n" + lines.get(j).trim()); // continuation (ranges, location lists)
      }
    }
    return new ODie(offset, depth, m.group(3), attrs);
  }

  /** The parent of a DIE (the nearest preceding DIE one level up), or null for a unit DIE. */
  ODie parent(ODie d) {
    if (d.depth() == 0) return null;
    for (int j = lineOfDie.get(d.offset()) - 1; j >= 0; j--) {
      String l = lines.get(j);
      if (!l.startsWith("0x")) continue;
      Matcher m = DIE_LINE.matcher(l);
      if (m.find()
          && !m.group(3).equals("NULL")
          && (m.group(2).length() - 1) / 2 == d.depth() - 1) {
        return die(Long.parseLong(m.group(1), 16));
      }
    }
    return null;
  }

  /** Children of a DIE, in order. */
  public List<ODie> children(ODie parent) {
    List<ODie> out = new ArrayList<>();
    int i = lineOfDie.get(parent.offset());
    for (int j = i + 1; j < lines.size(); j++) {
      String l = lines.get(j);
      if (!l.startsWith("0x")) continue;
      Matcher m = DIE_LINE.matcher(l);
      if (!m.find()) continue;
      int depth = (m.group(2).length() - 1) / 2;
      if (depth <= parent.depth()) break;
      if (depth == parent.depth() + 1 && !m.group(3).equals("NULL"))
        out.add(die(Long.parseLong(m.group(1), 16)));
    }
    return out;
  }

  /** DIEs whose DW_AT_name is exactly {@code name}. */
  public List<ODie> named(String name) {
    return byName.getOrDefault(name, List.of()).stream().map(this::die).toList();
  }

  List<ODie> withLinkageName(String linkage) {
    return byLinkageName.getOrDefault(linkage, List.of()).stream().map(this::die).toList();
  }

  /** DIE offsets that some DW_TAG_inlined_subroutine names as its abstract origin. */
  List<Long> inlinedOrigins() {
    return inlinedOrigins;
  }

  /** All DIE offsets with a given tag. */
  public List<Long> offsetsWithTag(String tag) {
    List<Long> out = new ArrayList<>();
    for (Map.Entry<Long, Integer> e : lineOfDie.entrySet()) {
      if (lines.get(e.getValue()).endsWith(tag)) out.add(e.getKey());
    }
    out.sort(null);
    return out;
  }

  /**
   * A type name as llvm-dwarfdump 14 prints it, with its known glitch of qualifying cv-qualifiers
   * ({@code shop::const shop::Cart *}) undone.
   */
  static String normalizeTypeName(String printed) {
    if (printed == null) return null;
    return printed.replaceAll("(?:[\\w$]+::)+(const|volatile) ", "$1 ");
  }

  private static final Pattern POINTER_TO_ARRAY =
      Pattern.compile("^(.+) \\(\\*\\)((?:\\[\\d+\\])+)$");
  private static final Pattern C_ARRAY = Pattern.compile("^(.+?)((?:\\[\\d+\\])+)$");

  /**
   * A Go type name from llvm-dwarfdump, which spells unnamed pointer and array types the C way
   * ({@code T *}, {@code T[2]}, {@code T (*)[2]}, {@code [2]T (*)}, {@code void *}), in Go syntax
   * ({@code *T}, {@code [2]T}, {@code *[2]T}, {@code unsafe.Pointer}).
   */
  static String goTypeName(String printed) {
    if (printed == null) return null;
    if (printed.equals("void *"))
      return "unsafe.Pointer"; // Go's unsafe.Pointer is an unnamed pointer to nothing
    if (printed.endsWith(" (*)"))
      return "*" + goTypeName(printed.substring(0, printed.length() - 4));
    if (printed.endsWith(" *")) return "*" + goTypeName(printed.substring(0, printed.length() - 2));
    Matcher pa = POINTER_TO_ARRAY.matcher(printed);
    if (pa.matches()) return "*" + pa.group(2) + goTypeName(pa.group(1));
    Matcher m = C_ARRAY.matcher(printed);
    if (m.matches() && !m.group(1).endsWith("]")) return m.group(2) + goTypeName(m.group(1));
    return printed;
  }
}
