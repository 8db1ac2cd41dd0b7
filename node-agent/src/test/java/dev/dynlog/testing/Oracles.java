package dev.dynlog.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Independent views of a binary from the system's own tools (llvm-dwarfdump, readelf, nm, objdump),
 * for tests to compare dynlog's readings against or to write probe plans by hand.
 */
public final class Oracles {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final Pattern BUILD_ID = Pattern.compile("Build ID: ([0-9a-f]+)");
  private static final Pattern UNIT_VERSION =
      Pattern.compile("Compile Unit: .*?version = 0x([0-9a-f]{4})");

  private Oracles() {}

  /** {@code llvm-dwarfdump --name=...} for each name: the matching DIEs as text. */
  public static String dwarfdumpNames(Path binary, Collection<String> names) {
    List<String> cmd = new ArrayList<>(List.of(dwarfdump().toString()));
    for (String n : names) {
      cmd.add("--name=" + n);
    }
    cmd.add(binary.toString());
    return run("llvm-dwarfdump --name", cmd);
  }

  /** The subprograms named (DW_AT_name or linkage name) {@code names}, with their parameters. */
  public static List<DwarfSubprogram> subprograms(Path binary, Collection<String> names) {
    List<String> cmd = new ArrayList<>(List.of(dwarfdump().toString(), "--show-children"));
    for (String n : names) {
      cmd.add("--name=" + n);
    }
    cmd.add(binary.toString());
    return DwarfSubprogram.parse(run("llvm-dwarfdump --name --show-children", cmd));
  }

  /**
   * Demangled function symbol → mangled symbol, from {@code nm} and {@code nm -C} over the same
   * table.
   */
  public static Map<String, String> mangledFunctions(Path binary) {
    Path nm = Tools.find("nm");
    List<String> raw =
        run("nm", List.of(nm.toString(), "--defined-only", binary.toString())).lines().toList();
    List<String> demangled =
        run("nm -C", List.of(nm.toString(), "-C", "--defined-only", binary.toString()))
            .lines()
            .toList();
    if (raw.size() != demangled.size()) {
      throw new AssertionError("nm and nm -C list different numbers of symbols for " + binary);
    }
    Map<String, String> map = new TreeMap<>();
    for (int i = 0; i < raw.size(); i++) {
      String[] r = raw.get(i).split(" ", 3);
      String[] d = demangled.get(i).split(" ", 3);
      if (r.length == 3 && d.length == 3 && (r[1].equals("T") || r[1].equals("t"))) {
        map.putIfAbsent(d[2], r[2]);
      }
    }
    return map;
  }

  /** The DWARF versions of all compile units ({@code llvm-dwarfdump --debug-info}). */
  public static Set<Integer> dwarfVersions(Path binary) {
    String dump =
        run(
            "llvm-dwarfdump --debug-info",
            List.of(dwarfdump().toString(), "--debug-info", binary.toString()));
    Set<Integer> versions = new TreeSet<>();
    Matcher m = UNIT_VERSION.matcher(dump);
    while (m.find()) {
      versions.add(Integer.parseInt(m.group(1), 16));
    }
    return versions;
  }

  /** {@code readelf -SW}: the section table as text. */
  public static String sections(Path binary) {
    return run("readelf -S", List.of(Tools.find("readelf").toString(), "-SW", binary.toString()));
  }

  /**
   * The flags column of one section in {@code readelf -SW} output (e.g. {@code C} for
   * SHF_COMPRESSED).
   */
  public static String sectionFlags(String sectionTable, String section) {
    for (String line : sectionTable.lines().toList()) {
      String[] f = line.replaceFirst("^\\s*\\[\\s*\\d+\\]\\s*", "").trim().split("\\s+");
      // name type address offset size entsize [flags] link info align: no flags → 9 columns
      if (f[0].equals(section) && (f.length == 9 || f.length == 10)) {
        return f.length == 10 ? f[6] : "";
      }
    }
    throw new AssertionError("no section " + section + " in:\n" + sectionTable);
  }

  /** The GNU build-id in hex ({@code readelf -n}). */
  public static String buildId(Path binary) {
    String notes =
        run("readelf -n", List.of(Tools.find("readelf").toString(), "-n", binary.toString()));
    Matcher m = BUILD_ID.matcher(notes);
    if (!m.find()) {
      throw new AssertionError(binary + " has no build-id note:\n" + notes);
    }
    return m.group(1);
  }

  /** The ELF type from {@code readelf -h}, e.g. {@code DYN (Shared object file)}. */
  public static String elfType(Path binary) {
    String header =
        run("readelf -h", List.of(Tools.find("readelf").toString(), "-h", binary.toString()));
    return header
        .lines()
        .filter(l -> l.trim().startsWith("Type:"))
        .map(l -> l.replaceFirst("^\\s*Type:\\s*", ""))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Type in readelf -h:\n" + header));
  }

  /**
   * Demangled names of the functions defined in the binary's text ({@code nm -C --defined-only}).
   */
  public static Set<String> definedFunctions(Path binary) {
    String nm =
        run("nm", List.of(Tools.find("nm").toString(), "-C", "--defined-only", binary.toString()));
    Set<String> names = new TreeSet<>();
    for (String line : nm.lines().toList()) {
      String[] f = line.split(" ", 3);
      if (f.length == 3 && (f[1].equals("T") || f[1].equals("t"))) {
        names.add(f[2]);
      }
    }
    return names;
  }

  /** The address of a defined symbol ({@code nm}), e.g. a function's entry. */
  public static long symbolAddress(Path binary, String symbol) {
    String nm =
        run("nm", List.of(Tools.find("nm").toString(), "--defined-only", binary.toString()));
    for (String line : nm.lines().toList()) {
      String[] f = line.split(" ", 3);
      if (f.length == 3 && f[2].equals(symbol)) {
        return Long.parseUnsignedLong(f[0], 16);
      }
    }
    throw new AssertionError("no symbol " + symbol + " in " + binary);
  }

  /** Every symbol address ({@code nm}) to the first name nm lists there, e.g. to name Go itabs. */
  public static Map<Long, String> symbolsByAddress(Path binary) {
    Map<Long, String> symbols = new HashMap<>();
    for (String line :
        run("nm", List.of(Tools.find("nm").toString(), binary.toString())).split("\n")) {
      String[] f = line.trim().split("\\s+", 3);
      if (f.length == 3) {
        symbols.putIfAbsent(Long.parseUnsignedLong(f[0], 16), f[2]);
      }
    }
    return symbols;
  }

  private static final Pattern LOAD =
      Pattern.compile(
          "^\\s*LOAD\\s+0x([0-9a-f]+)\\s+0x([0-9a-f]+)\\s+0x[0-9a-f]+\\s+0x([0-9a-f]+)\\s+0x[0-9a-f]+\\s+(\\S+)");

  /** The file offset of a virtual address, from the LOAD segments of {@code readelf -lW}. */
  public static long fileOffset(Path binary, long vaddr) {
    String segments =
        run("readelf -l", List.of(Tools.find("readelf").toString(), "-lW", binary.toString()));
    for (String line : segments.split("\n")) {
      Matcher m = LOAD.matcher(line);
      if (!m.find()) {
        continue;
      }
      long off = Long.parseUnsignedLong(m.group(1), 16);
      long va = Long.parseUnsignedLong(m.group(2), 16);
      long size = Long.parseUnsignedLong(m.group(3), 16);
      if (vaddr >= va && vaddr < va + size) {
        return vaddr - va + off;
      }
    }
    throw new AssertionError(
        "readelf: 0x" + Long.toHexString(vaddr) + " is in no LOAD segment of " + binary);
  }

  private static final Pattern RET = Pattern.compile("^\\s*([0-9a-f]+):\\s+(ret[q]?)\\b");

  /**
   * The addresses of a function's RET instructions, from {@code objdump -d --disassemble=FUNCTION}.
   */
  public static List<Long> retAddresses(Path binary, String function) {
    String out =
        run(
            "objdump -d",
            List.of(
                Tools.find("objdump").toString(),
                "-d",
                "--no-show-raw-insn",
                "--disassemble=" + function,
                binary.toString()));
    List<Long> rets = new ArrayList<>();
    for (String line : out.split("\n")) {
      Matcher m = RET.matcher(line);
      if (m.find()) {
        rets.add(Long.parseUnsignedLong(m.group(1), 16));
      }
    }
    if (rets.isEmpty()) {
      throw new AssertionError("objdump: no RET in " + function + " of " + binary + ":\n" + out);
    }
    return rets;
  }

  private static final Pattern MEMBER_LOCATION =
      Pattern.compile("DW_AT_data_member_location\\s*\\((0x[0-9a-f]+|[0-9]+)\\)");

  /**
   * The offset of a member of a DWARF structure type (e.g. {@code runtime.g}'s {@code goid}), from
   * {@code llvm-dwarfdump --name=TYPE --show-children}.
   */
  public static long memberOffset(Path binary, String type, String member) {
    String out =
        run(
            "llvm-dwarfdump --name --show-children",
            List.of(
                dwarfdump().toString(), "--name=" + type, "--show-children", binary.toString()));
    String[] lines = out.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains("DW_AT_name") && lines[i].contains("(\"" + member + "\")")) {
        for (int j = i; j < Math.min(lines.length, i + 6); j++) {
          Matcher m = MEMBER_LOCATION.matcher(lines[j]);
          if (m.find()) {
            return Long.decode(m.group(1));
          }
        }
      }
    }
    throw new AssertionError(
        "llvm-dwarfdump: no member "
            + member
            + " of "
            + type
            + " in "
            + binary
            + ":\n"
            + out.substring(0, Math.min(out.length(), 2000)));
  }

  private static final Pattern HITS = Pattern.compile("breakpoint already hit (\\d+) time");

  /**
   * Runs {@code binary args} under {@code gdb -batch} with a breakpoint at {@code address} that
   * only counts, and returns how often it was hit (0 when never).
   */
  public static long gdbHits(Path binary, long address, String args) {
    String script =
        String.join(
            "\n",
            "set pagination off",
            "handle SIGURG nostop noprint pass",
            "break *0x" + Long.toHexString(address),
            "commands",
            "silent",
            "continue",
            "end",
            "run " + args + " > /dev/null",
            "info breakpoints",
            "");
    try {
      Path file = Files.createTempFile("dynlog-gdb", ".gdb");
      try {
        Files.writeString(file, script);
        String out =
            run(
                "gdb -batch",
                List.of(
                    Tools.find("gdb").toString(),
                    "-batch",
                    "-nx",
                    "-x",
                    file.toString(),
                    binary.toString()));
        if (!out.contains("exited normally")) {
          throw new AssertionError("the target did not exit normally under gdb:\n" + out);
        }
        Matcher m = HITS.matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path dwarfdump() {
    return Tools.find("llvm-dwarfdump", "llvm-dwarfdump-14");
  }

  private static String run(String what, List<String> cmd) {
    return Tools.run(what, cmd, null, Map.of(), TIMEOUT);
  }
}
