package dev.dynlog.elf;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The symbols of {@code .symtab} and {@code .dynsym}: lookup by name and by address. */
public final class SymbolTable {
  private static final int ENTRY_SIZE = 24;

  private final List<ElfSymbol> all;
  private final ElfSymbol[] byAddress;
  private final Map<String, ElfSymbol> byName = new HashMap<>();

  private SymbolTable(List<ElfSymbol> all) {
    this.all = all;
    this.byAddress =
        all.stream()
            .filter(ElfSymbol::definesAddress)
            .sorted(Comparator.comparingLong(ElfSymbol::value).thenComparing(s -> -s.size()))
            .toArray(ElfSymbol[]::new);
    for (ElfSymbol s : all) {
      if (s.sectionIndex() != 0) byName.putIfAbsent(s.name(), s);
    }
  }

  static SymbolTable read(ElfFile elf) {
    List<ElfSymbol> out = new ArrayList<>();
    for (Section s : elf.sections()) {
      if (s.type() != Section.SHT_SYMTAB && s.type() != Section.SHT_DYNSYM) continue;
      boolean dynamic = s.type() == Section.SHT_DYNSYM;
      if (s.link() <= 0 || s.link() >= elf.sections().size()) {
        throw new ElfFormatException(
            elf.path()
                + ": symbol table "
                + s.name()
                + " links to string table "
                + s.link()
                + ", which does not exist");
      }
      Section strtab = elf.sections().get(s.link());
      ByteBuffer b = elf.rawData(s);
      elf.rawData(strtab); // bounds check
      long count = b.limit() / ENTRY_SIZE;
      for (int i = 1; i < count; i++) { // entry 0 is the null symbol
        int p = i * ENTRY_SIZE;
        long nameIdx = Integer.toUnsignedLong(b.getInt(p));
        int info = b.get(p + 4) & 0xff;
        int shndx = Short.toUnsignedInt(b.getShort(p + 6));
        long value = b.getLong(p + 8);
        long size = b.getLong(p + 16);
        String name =
            nameIdx == 0
                ? ""
                : elf.cString(
                    strtab.offset(), strtab.size(), nameIdx, s.name() + " symbol " + i + " name");
        out.add(new ElfSymbol(name, value, size, info & 0xf, info >> 4, shndx, dynamic));
      }
    }
    return new SymbolTable(out);
  }

  /** All symbols, .symtab first then .dynsym. */
  public List<ElfSymbol> all() {
    return Collections.unmodifiableList(all);
  }

  /** The first defined symbol with this exact name, or null. */
  public ElfSymbol byName(String name) {
    return byName.get(name);
  }

  /**
   * The symbol whose [value, value+size) contains the address, else a zero-size symbol starting at
   * it, or null.
   */
  public ElfSymbol containing(long vaddr) {
    int lo = 0;
    int hi = byAddress.length - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(byAddress[mid].value(), vaddr) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    ElfSymbol exact = null;
    for (int i = found; i >= 0 && i > found - 64; i--) {
      ElfSymbol s = byAddress[i];
      if (Long.compareUnsigned(vaddr - s.value(), s.size()) < 0) return s;
      if (s.value() == vaddr && exact == null)
        exact = s; // zero-size marker symbols only when nothing contains it
    }
    return exact;
  }
}
