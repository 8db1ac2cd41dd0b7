package dev.dynlog.trace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds small test targets with the real compilers and reads their symbols, segments, RET
 * instructions and runtime.g layout with independent tools (nm, readelf, objdump, llvm-dwarfdump),
 * so hand-written probe plans do not depend on dynlog's own resolver. A missing tool fails the test.
 */
final class Toolchain {
  private Toolchain() {}

  static String run(Path dir, String... cmd) {
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      if (dir != null) pb.directory(dir.toFile());
      pb.environment().putIfAbsent("GOCACHE", "/tmp/dynlog-test-gocache");
      pb.environment().putIfAbsent("HOME", "/root");
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError(String.join(" ", cmd) + " failed:\n" + out);
      }
      return out;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + cmd[0] + " (is it installed?): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Compiles a C source with gcc -g and the given flags. */
  static Path buildC(Path dir, String name, String source, String... flags) throws IOException {
    Path src = dir.resolve(name + ".c");
    Files.writeString(src, source);
    Path bin = dir.resolve(name);
    List<String> cmd = new ArrayList<>(List.of("gcc", "-g"));
    cmd.addAll(List.of(flags));
    cmd.addAll(List.of("-o", bin.toString(), src.toString()));
    run(dir, cmd.toArray(String[]::new));
    return bin;
  }

  /** Builds a Go main package (default flags: optimised, inlining on) with the local go. */
  static Path buildGo(Path dir, String name, String source) throws IOException {
    Path mod = dir.resolve(name + "-src");
    Files.createDirectories(mod);
    Files.writeString(mod.resolve("main.go"), source);
    Files.writeString(mod.resolve("go.mod"), "module example.com/" + name + "\n\ngo 1.21\n");
    Path bin = dir.resolve(name);
    run(mod, "go", "build", "-o", bin.toString(), ".");
    return bin;
  }

  /** Virtual address of a symbol, from nm. */
  static long symbol(Path bin, String name) {
    for (String line : run(null, "nm", bin.toString()).split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 3 && f[2].equals(name)) return Long.parseUnsignedLong(f[0], 16);
    }
    throw new AssertionError("nm: no symbol " + name + " in " + bin);
  }

  private static final Pattern LOAD = Pattern.compile(
      "^\\s*LOAD\\s+0x([0-9a-f]+)\\s+0x([0-9a-f]+)\\s+0x[0-9a-f]+\\s+0x([0-9a-f]+)\\s+0x[0-9a-f]+\\s+(\\S+)");

  /** File offset of a virtual address, from readelf's program headers. */
  static long fileOffset(Path bin, long vaddr) {
    for (String line : run(null, "readelf", "-lW", bin.toString()).split("\n")) {
      Matcher m = LOAD.matcher(line);
      if (!m.find()) continue;
      long off = Long.parseUnsignedLong(m.group(1), 16);
      long va = Long.parseUnsignedLong(m.group(2), 16);
      long size = Long.parseUnsignedLong(m.group(3), 16);
      if (vaddr >= va && vaddr < va + size) return vaddr - va + off;
    }
    throw new AssertionError("readelf: 0x" + Long.toHexString(vaddr) + " is in no LOAD segment of " + bin);
  }

  /** Addresses of the RET instructions of a function, from objdump's disassembly. */
  static List<Long> rets(Path bin, String function) {
    String out = run(null, "objdump", "-d", "--no-show-raw-insn", "--disassemble=" + function, bin.toString());
    List<Long> rets = new ArrayList<>();
    Pattern insn = Pattern.compile("^\\s*([0-9a-f]+):\\s+(ret[q]?)\\b");
    for (String line : out.split("\n")) {
      Matcher m = insn.matcher(line);
      if (m.find()) rets.add(Long.parseUnsignedLong(m.group(1), 16));
    }
    if (rets.isEmpty()) throw new AssertionError("objdump: no RET in " + function + " of " + bin + ":\n" + out);
    return rets;
  }

  /** Offset of a member of a DWARF structure type (e.g. runtime.g's goid), from llvm-dwarfdump. */
  static long memberOffset(Path bin, String type, String member) {
    String out = run(null, "llvm-dwarfdump", "--name=" + type, "--show-children", bin.toString());
    String[] lines = out.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains("DW_AT_name") && lines[i].contains("(\"" + member + "\")")) {
        for (int j = i; j < Math.min(lines.length, i + 6); j++) {
          Matcher m = Pattern.compile("DW_AT_data_member_location\\s*\\((0x[0-9a-f]+|[0-9]+)\\)").matcher(lines[j]);
          if (m.find()) return Long.decode(m.group(1));
        }
      }
    }
    throw new AssertionError("llvm-dwarfdump: no member " + member + " of " + type + " in " + bin + ":\n"
        + out.substring(0, Math.min(out.length(), 2000)));
  }
}
