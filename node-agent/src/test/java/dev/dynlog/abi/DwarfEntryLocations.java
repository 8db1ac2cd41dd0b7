package dev.dynlog.abi;

import dev.dynlog.recipe.Piece;
import dev.dynlog.testing.Require;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test oracle: the compiler's own view of where each parameter lives at a function's first
 * instruction, read from {@code llvm-dwarfdump --debug-info} (run here, or stored with a quick-tier
 * fixture): the location-list entry that starts at the subprogram's low_pc, or a single location
 * expression.
 */
public final class DwarfEntryLocations {

  /**
   * One piece of a location: a register, a frame-base offset, memory at a register plus an offset
   * ({@code DW_OP_bregN}: the value lives where the register points), or nothing (optimised away);
   * and its size (-1 for a whole value).
   */
  public record Piece(
      String register, Long fbreg, String memoryBase, long memoryOffset, long size) {
    Piece(String register, Long fbreg, long size) {
      this(register, fbreg, null, 0, size);
    }

    /** True when the piece says where its bytes are. */
    public boolean located() {
      return register != null || fbreg != null || memoryBase != null;
    }
  }

  /** A parameter with its pieces at entry (size -1 on a single unsized piece = the whole value). */
  public record Param(String name, boolean result, List<Piece> pieces) {}

  /** A subprogram with code; {@code frameBase} is its DW_AT_frame_base expression. */
  public record Subprogram(String name, long lowPc, String frameBase, List<Param> params) {}

  private static final Pattern TAG = Pattern.compile("^0x[0-9a-f]+:(\\s+)(DW_TAG_\\w+)");
  private static final Pattern ATTR = Pattern.compile("^\\s+(DW_AT_\\w+)\\s+\\((.*)$");
  private static final Pattern ENTRY =
      Pattern.compile("^\\s+\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\): (.*?)\\)?$");

  private DwarfEntryLocations() {}

  /** Parses a stored {@code llvm-dwarfdump --debug-info} listing. */
  public static List<Subprogram> parse(Path listing) throws IOException {
    List<Subprogram> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(listing, StandardCharsets.UTF_8)) {
      Parser parser = new Parser(out);
      for (String line; (line = r.readLine()) != null; ) parser.line(line);
      parser.flush();
    }
    return out;
  }

  /** Runs {@code llvm-dwarfdump --debug-info} on {@code binary} and parses its output. */
  static List<Subprogram> read(Path llvmDwarfdump, Path binary)
      throws IOException, InterruptedException {
    Require.notQuick("llvm-dwarfdump", "toolchain");
    Process p =
        new ProcessBuilder(llvmDwarfdump.toString(), "--debug-info", binary.toString())
            .redirectErrorStream(true)
            .start();
    List<Subprogram> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      Parser parser = new Parser(out);
      for (String line; (line = r.readLine()) != null; ) parser.line(line);
      parser.flush();
    }
    if (p.waitFor() != 0) throw new IOException("llvm-dwarfdump failed on " + binary);
    return out;
  }

  /** A line-by-line state machine over llvm-dwarfdump's text. */
  private static final class Parser {
    final List<Subprogram> out;
    int subIndent = -1;
    boolean inSubAttributes;
    String subName;
    String subFrameBase;
    long subLow = -1;
    List<Param> params;
    boolean inParam;
    String paramName;
    boolean paramResult;
    String locationText;
    List<String> locEntries;
    boolean inLocList;

    Parser(List<Subprogram> out) {
      this.out = out;
    }

    void line(String line) {
      Matcher t = TAG.matcher(line);
      if (t.find()) {
        endParam();
        int indent = t.group(1).length();
        String tag = t.group(2);
        if (tag.equals("DW_TAG_subprogram")) {
          flush();
          subIndent = indent;
          subName = null;
          subFrameBase = null;
          subLow = -1;
          params = new ArrayList<>();
        } else if (subIndent >= 0 && indent <= subIndent) {
          flush();
        }
        inSubAttributes = tag.equals("DW_TAG_subprogram");
        inParam =
            tag.equals("DW_TAG_formal_parameter") && subIndent >= 0 && indent == subIndent + 2;
        paramName = null;
        paramResult = false;
        locationText = null;
        locEntries = null;
        inLocList = false;
        return;
      }
      if (inLocList) {
        Matcher e = ENTRY.matcher(line);
        if (e.find()) {
          locEntries.add(e.group(1) + " " + e.group(3));
          return;
        }
        inLocList = false;
      }
      Matcher a = ATTR.matcher(line);
      if (!a.find()) return;
      String attr = a.group(1);
      String value = a.group(2);
      if (inSubAttributes) {
        if (attr.equals("DW_AT_name")) subName = unquote(value);
        if (subName == null
            && (attr.equals("DW_AT_abstract_origin") || attr.equals("DW_AT_specification"))) {
          subName = unquote(value);
        }
        if (attr.equals("DW_AT_frame_base"))
          subFrameBase = value.endsWith(")") ? value.substring(0, value.length() - 1) : value;
        if (attr.equals("DW_AT_low_pc"))
          subLow = Long.parseUnsignedLong(value.replace(")", "").trim().substring(2), 16);
      } else if (inParam) {
        if (attr.equals("DW_AT_name")) paramName = unquote(value);
        if (paramName == null && attr.equals("DW_AT_abstract_origin") && value.contains("\""))
          paramName = unquote(value);
        if (attr.equals("DW_AT_variable_parameter")) paramResult = value.startsWith("0x01");
        if (attr.equals("DW_AT_location")) {
          if (value.startsWith("DW_OP")) {
            locationText = value.endsWith(")") ? value.substring(0, value.length() - 1) : value;
          } else {
            locEntries = new ArrayList<>();
            inLocList = true;
          }
        }
      }
    }

    void endParam() {
      if (!inParam || params == null || paramName == null) return;
      inParam = false;
      String entry = locationText;
      if (entry == null && locEntries != null) {
        for (String le : locEntries) {
          String[] parts = le.split(" ", 2);
          if (Long.parseUnsignedLong(parts[0], 16) == subLow) entry = parts[1];
        }
      }
      params.add(new Param(paramName, paramResult, entry == null ? null : pieces(entry)));
    }

    void flush() {
      endParam();
      if (params != null && subName != null && subLow > 0) {
        out.add(new Subprogram(subName, subLow, subFrameBase, List.copyOf(params)));
      }
      params = null;
      subIndent = -1;
      inSubAttributes = false;
    }
  }

  /**
   * Pieces of a location expression, or null when it uses operations this oracle does not model.
   */
  static List<Piece> pieces(String expr) {
    List<Piece> out = new ArrayList<>();
    String reg = null;
    Long fb = null;
    String mem = null;
    long memOff = 0;
    for (String op : expr.split(", ")) {
      String[] w = op.trim().split("\\s+");
      if (w[0].matches("DW_OP_reg\\d+")) {
        reg = w[1];
      } else if (w[0].matches("DW_OP_breg\\d+")
          && w.length == 2
          && w[1].matches("[A-Z0-9]+[+-]\\d+")) {
        int sign = Math.max(w[1].lastIndexOf('+'), w[1].lastIndexOf('-'));
        mem = w[1].substring(0, sign);
        memOff = Long.parseLong(w[1].substring(sign));
      } else if (w[0].equals("DW_OP_fbreg")) {
        fb = Long.parseLong(w[1]);
      } else if (w[0].equals("DW_OP_call_frame_cfa")) {
        fb = 0L;
      } else if (w[0].equals("DW_OP_piece")) {
        out.add(new Piece(reg, fb, mem, memOff, Long.decode(w[1])));
        reg = null;
        fb = null;
        mem = null;
        memOff = 0;
      } else {
        return null;
      }
    }
    if (reg != null || fb != null || mem != null) out.add(new Piece(reg, fb, mem, memOff, -1));
    return out;
  }

  /**
   * The quoted string of an attribute value, with llvm-dwarfdump's octal escapes of UTF-8 bytes
   * decoded.
   */
  private static String unquote(String v) {
    int a = v.indexOf('"');
    int b = v.lastIndexOf('"');
    String s = a >= 0 && b > a ? v.substring(a + 1, b) : v;
    if (s.indexOf('\\') < 0) return s;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\'
          && i + 3 < s.length() + 0
          && s.substring(i + 1, Math.min(s.length(), i + 4)).matches("[0-7]{3}")) {
        bytes.write(Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        byte[] enc = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(enc, 0, enc.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
