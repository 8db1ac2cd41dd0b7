package dev.dynlog.dwarf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes small ELF64 x86-64 files with hand-made DWARF 4 sections, to test inputs no compiler
 * emits: cyclic and very long type chains, absurd counts, deep nesting, bad forms.
 */
final class SyntheticElf {
  static final long TEXT_ADDR = 0x401000;

  // Abbreviation codes of the standard table written by abbrevs().
  static final int CU = 1;
  static final int SUBPROGRAM = 2;
  static final int PARAM = 3;
  static final int TYPEDEF = 4;
  static final int BASE = 5;
  static final int BLOCK = 6;
  static final int CONST = 7;
  static final int ARRAY = 8;
  static final int SUBRANGE = 9;
  static final int POINTER = 10;
  static final int ORIGIN_SUBPROGRAM = 11;
  static final int ABSTRACT_SUBPROGRAM = 12;
  static final int STRUCT = 13;
  static final int MEMBER = 14;

  private final Map<String, byte[]> sections = new LinkedHashMap<>();

  SyntheticElf section(String name, byte[] contents) {
    sections.put(name, contents);
    return this;
  }

  /** The standard abbreviation table (codes above), DWARF 4 forms. */
  static byte[] abbrevs() {
    Bytes b = new Bytes();
    abbrev(
        b, CU, 0x11, true, 0x03, 0x08, 0x13, 0x0b, 0x11,
        0x01); // name string, language data1, low_pc addr
    abbrev(
        b,
        SUBPROGRAM,
        0x2e,
        true,
        0x03,
        0x08,
        0x11,
        0x01,
        0x12,
        0x06); // name, low_pc addr, high_pc data4
    abbrev(b, PARAM, 0x05, false, 0x03, 0x08, 0x49, 0x13); // name, type ref4
    abbrev(b, TYPEDEF, 0x16, false, 0x03, 0x08, 0x49, 0x13); // name, type ref4
    abbrev(b, BASE, 0x24, false, 0x03, 0x08, 0x3e, 0x0b, 0x0b, 0x0b); // name, encoding, byte_size
    abbrev(b, BLOCK, 0x0b, true);
    abbrev(b, CONST, 0x26, false, 0x49, 0x13);
    abbrev(b, ARRAY, 0x01, true, 0x49, 0x13);
    abbrev(b, SUBRANGE, 0x21, false, 0x37, 0x07); // count data8
    abbrev(b, POINTER, 0x0f, false, 0x49, 0x13, 0x0b, 0x0b);
    abbrev(
        b,
        ORIGIN_SUBPROGRAM,
        0x2e,
        true,
        0x31,
        0x13,
        0x11,
        0x01,
        0x12,
        0x06); // abstract_origin, low_pc, high_pc
    abbrev(
        b,
        ABSTRACT_SUBPROGRAM,
        0x2e,
        true,
        0x03,
        0x08,
        0x31,
        0x13,
        0x20,
        0x0b); // name, abstract_origin, inline
    abbrev(b, STRUCT, 0x13, true, 0x03, 0x08, 0x0b, 0x0b);
    abbrev(b, MEMBER, 0x0d, false, 0x03, 0x08, 0x49, 0x13, 0x38, 0x0b);
    b.u8(0);
    return b.toByteArray();
  }

  private static void abbrev(Bytes b, int code, int tag, boolean children, int... attrForms) {
    b.uleb(code).uleb(tag).u8(children ? 1 : 0);
    for (int v : attrForms) b.uleb(v);
    b.u8(0).u8(0);
  }

  /** A DWARF 4 compile unit under construction; offsets are unit-relative. */
  static final class UnitBuilder {
    final Bytes b = new Bytes();
    private final List<int[]> fixups = new ArrayList<>();
    private final Map<String, Integer> labels = new LinkedHashMap<>();

    UnitBuilder() {
      b.u32(0).u16(4).u32(0).u8(8); // length (patched), version 4, abbrev offset 0, address size 8
    }

    /** Marks the next DIE with a label that refs can name. */
    UnitBuilder label(String name) {
      labels.put(name, b.size());
      return this;
    }

    UnitBuilder code(int c) {
      b.uleb(c);
      return this;
    }

    UnitBuilder str(String s) {
      b.cstr(s);
      return this;
    }

    UnitBuilder u8(int v) {
      b.u8(v);
      return this;
    }

    UnitBuilder u32(long v) {
      b.u32(v);
      return this;
    }

    UnitBuilder u64(long v) {
      b.u64(v);
      return this;
    }

    /** A DW_FORM_ref4 to a label (resolved in {@link #bytes()}). */
    UnitBuilder ref(String label) {
      fixups.add(new int[] {b.size(), labels.size()});
      pendingNames.add(label);
      b.u32(0);
      return this;
    }

    private final List<String> pendingNames = new ArrayList<>();

    UnitBuilder end() {
      b.u8(0);
      return this;
    }

    byte[] bytes() {
      byte[] out = b.toByteArray();
      ByteBuffer bb = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
      bb.putInt(0, out.length - 4);
      for (int i = 0; i < fixups.size(); i++) {
        Integer target = labels.get(pendingNames.get(i));
        if (target == null) throw new IllegalStateException("no label " + pendingNames.get(i));
        bb.putInt(fixups.get(i)[0], target);
      }
      return out;
    }
  }

  /** Writes the ELF: a PT_LOAD .text of 64 bytes at {@link #TEXT_ADDR}, then the given sections. */
  Path write(Path file) throws IOException {
    List<String> names = new ArrayList<>(List.of("", ".text"));
    names.addAll(sections.keySet());
    names.add(".shstrtab");
    Bytes shstr = new Bytes();
    Map<String, Integer> nameOff = new LinkedHashMap<>();
    for (String n : names) {
      nameOff.put(n, shstr.size());
      shstr.cstr(n);
    }
    Bytes f = new Bytes();
    int ehdr = 64;
    int phdr = 56;
    int textOff = 0x1000;
    // header placeholder
    f.pad(ehdr + phdr);
    f.pad(textOff - f.size());
    for (int i = 0; i < 64; i++) f.u8(0xc3);
    List<long[]> shdrs = new ArrayList<>();
    shdrs.add(new long[] {0, 0, 0, 0, 0, 0});
    shdrs.add(new long[] {nameOff.get(".text"), 1, 6, TEXT_ADDR, textOff, 64});
    for (Map.Entry<String, byte[]> e : sections.entrySet()) {
      shdrs.add(new long[] {nameOff.get(e.getKey()), 1, 0, 0, f.size(), e.getValue().length});
      f.bytes(e.getValue());
    }
    shdrs.add(new long[] {nameOff.get(".shstrtab"), 3, 0, 0, f.size(), shstr.size()});
    f.bytes(shstr.toByteArray());
    while (f.size() % 8 != 0) f.u8(0);
    long shoff = f.size();
    for (long[] s : shdrs) {
      f.u32(s[0]).u32(s[1]).u64(s[2]).u64(s[3]).u64(s[4]).u64(s[5]).u32(0).u32(0).u64(1).u64(0);
    }
    byte[] out = f.toByteArray();
    ByteBuffer h = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    h.put(0, (byte) 0x7f)
        .put(1, (byte) 'E')
        .put(2, (byte) 'L')
        .put(3, (byte) 'F')
        .put(4, (byte) 2)
        .put(5, (byte) 1)
        .put(6, (byte) 1);
    h.putShort(16, (short) 2)
        .putShort(18, (short) 62)
        .putInt(20, 1)
        .putLong(24, TEXT_ADDR)
        .putLong(32, ehdr)
        .putLong(40, shoff);
    h.putShort(52, (short) ehdr)
        .putShort(54, (short) phdr)
        .putShort(56, (short) 1)
        .putShort(58, (short) 64);
    h.putShort(60, (short) shdrs.size()).putShort(62, (short) (shdrs.size() - 1));
    h.putInt(ehdr, 1)
        .putInt(ehdr + 4, 5)
        .putLong(ehdr + 8, textOff)
        .putLong(ehdr + 16, TEXT_ADDR)
        .putLong(ehdr + 24, TEXT_ADDR)
        .putLong(ehdr + 32, 64)
        .putLong(ehdr + 40, 64)
        .putLong(ehdr + 48, 0x1000);
    Files.write(file, out);
    return file;
  }

  /** A little-endian byte sink. */
  static final class Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    int size() {
      return out.size();
    }

    Bytes u8(int v) {
      out.write(v);
      return this;
    }

    Bytes u16(int v) {
      return u8(v).u8(v >> 8);
    }

    Bytes u32(long v) {
      return u16((int) v).u16((int) (v >> 16));
    }

    Bytes u64(long v) {
      return u32(v).u32(v >>> 32);
    }

    Bytes uleb(long v) {
      do {
        int b = (int) (v & 0x7f);
        v >>>= 7;
        out.write(v != 0 ? b | 0x80 : b);
      } while (v != 0);
      return this;
    }

    Bytes cstr(String s) {
      out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      return u8(0);
    }

    Bytes bytes(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    Bytes pad(int n) {
      for (int i = 0; i < n; i++) out.write(0);
      return this;
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }
  }
}
