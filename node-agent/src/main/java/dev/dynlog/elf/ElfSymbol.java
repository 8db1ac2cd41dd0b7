package dev.dynlog.elf;

/**
 * A symbol of {@code .symtab} or {@code .dynsym}.
 *
 * @param type STT_* (0 NOTYPE, 1 OBJECT, 2 FUNC, ...)
 * @param bind STB_* (0 LOCAL, 1 GLOBAL, 2 WEAK)
 * @param sectionIndex st_shndx
 * @param dynamic true when read from {@code .dynsym}
 */
public record ElfSymbol(
    String name, long value, long size, int type, int bind, int sectionIndex, boolean dynamic) {

  public static final int STT_OBJECT = 1;
  public static final int STT_FUNC = 2;

  /** True when the symbol names a defined address range (function or data object). */
  public boolean definesAddress() {
    return sectionIndex != 0 && (type == STT_FUNC || type == STT_OBJECT || type == 0) && value != 0;
  }
}
