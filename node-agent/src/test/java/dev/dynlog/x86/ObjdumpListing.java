package dev.dynlog.x86;

import dev.dynlog.testing.Require;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Test oracle: streams {@code objdump -d -z --insn-width=16} of a binary (or a stored listing of
 * it, see {@link #parse}) and hands over each symbol's block (objdump restarts decoding at every
 * symbol) with objdump's instruction starts, its {@code ret} addresses and its first {@code (bad)}
 * line.
 *
 * <p>objdump's listing is adjusted in one documented way: a line that starts with FWAIT ({@code
 * 9B}) followed by an x87 instruction counts as the two instructions it is.
 */
public final class ObjdumpListing {
  /** Words objdump prints before a mnemonic for prefixes. */
  private static final Set<String> PREFIX_WORDS =
      Set.of(
          "rep",
          "repz",
          "repe",
          "repnz",
          "repne",
          "bnd",
          "notrack",
          "lock",
          "data16",
          "addr32",
          "cs",
          "ds",
          "ss",
          "es",
          "fs",
          "gs",
          "xacquire",
          "xrelease");

  /**
   * One symbol's disassembly.
   *
   * @param starts instruction start addresses in order
   * @param end address just past the last instruction (its bytes as objdump counted them)
   * @param rets addresses of the lines objdump shows as (near) {@code ret}
   * @param badAddress address of the first {@code (bad)} line, or -1
   * @param badLine that line's text, or null
   */
  public record Block(
      String section,
      String symbol,
      long start,
      long end,
      long[] starts,
      long[] rets,
      long badAddress,
      String badLine) {}

  private ObjdumpListing() {}

  /**
   * Parses a stored {@code objdump -d -z --insn-width=16} listing, as the quick test tier's
   * fixtures keep it (several listings of address ranges may follow one another).
   */
  public static void parse(Path listing, Consumer<Block> consumer) throws IOException {
    Parser parser = new Parser(consumer);
    try (BufferedReader in = Files.newBufferedReader(listing, StandardCharsets.UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        parser.line(line);
      }
    }
    parser.flush();
  }

  /** Runs objdump on {@code binary} and hands over its blocks. */
  static void stream(Path binary, Consumer<Block> consumer)
      throws IOException, InterruptedException {
    Require.notQuick("objdump", "toolchain");
    Path stderr = Files.createTempFile("objdump", ".err");
    Process process =
        new ProcessBuilder("objdump", "-d", "-z", "--insn-width=16", binary.toString())
            .redirectError(stderr.toFile())
            .start();
    Parser parser = new Parser(consumer);
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8), 1 << 16)) {
      for (String line; (line = out.readLine()) != null; ) {
        parser.line(line);
      }
    }
    parser.flush();
    int exit = process.waitFor();
    String errors = Files.readString(stderr);
    Files.delete(stderr);
    if (exit != 0) {
      throw new IOException("objdump -d " + binary + " exited with " + exit + ": " + errors);
    }
  }

  private static final class Parser {
    private final Consumer<Block> consumer;
    private String section = "";
    private String symbol;
    private long start;
    private long end;
    private long[] starts = new long[1024];
    private int count;
    private long[] rets = new long[16];
    private int retCount;
    private long badAddress = -1;
    private String badLine;

    Parser(Consumer<Block> consumer) {
      this.consumer = consumer;
    }

    void line(String line) {
      if (line.startsWith("Disassembly of section ")) {
        flush();
        section = line.substring("Disassembly of section ".length(), line.length() - 1);
        return;
      }
      if (line.endsWith(">:") && !line.isEmpty() && Character.digit(line.charAt(0), 16) >= 0) {
        flush();
        int space = line.indexOf(' ');
        start = Long.parseUnsignedLong(line.substring(0, space), 16);
        symbol = line.substring(space + 2, line.length() - 2);
        return;
      }
      int colon = line.indexOf(":\t");
      if (symbol == null || colon < 0) {
        return;
      }
      long address = Long.parseUnsignedLong(line.substring(0, colon).trim(), 16);
      int bytesEnd = line.indexOf('\t', colon + 2);
      String bytes = bytesEnd < 0 ? line.substring(colon + 2) : line.substring(colon + 2, bytesEnd);
      String text = bytesEnd < 0 ? "" : line.substring(bytesEnd + 1).trim();
      int length = bytes.trim().split(" +").length;
      if (count == starts.length) {
        starts = Arrays.copyOf(starts, count * 2);
      }
      starts[count++] = address;
      if (length > 1 && bytes.startsWith("9b ")) {
        // objdump shows FWAIT (9B) and the x87 instruction after it as one line (fstcw, fstsw,
        // fclex, finit, ...); they are two instructions, and a uprobe may sit on either.
        if (count == starts.length) {
          starts = Arrays.copyOf(starts, count * 2);
        }
        starts[count++] = address + 1;
      }
      end = address + length;
      if (text.contains("(bad)") && badAddress < 0) {
        badAddress = address;
        badLine = line;
      }
      if (isRet(text)) {
        if (retCount == rets.length) {
          rets = Arrays.copyOf(rets, retCount * 2);
        }
        rets[retCount++] = address;
      }
    }

    private static boolean isRet(String text) {
      for (String word : text.split("[ ,]+")) {
        if (!PREFIX_WORDS.contains(word) && !word.startsWith("rex")) {
          return word.equals("ret")
              || word.equals("retq")
              || word.equals("retw")
              || word.equals("retl");
        }
      }
      return false;
    }

    void flush() {
      if (symbol != null && count > 0) {
        consumer.accept(
            new Block(
                section,
                symbol,
                start,
                end,
                Arrays.copyOf(starts, count),
                Arrays.copyOf(rets, retCount),
                badAddress,
                badLine));
      }
      symbol = null;
      count = 0;
      retCount = 0;
      badAddress = -1;
      badLine = null;
    }
  }
}
