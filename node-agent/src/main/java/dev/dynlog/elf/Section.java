package dev.dynlog.elf;

/**
 * An ELF section header.
 *
 * @param index section header index
 * @param name name from the section header string table
 * @param type sh_type (e.g. 1 PROGBITS, 8 NOBITS)
 * @param flags sh_flags (SHF_COMPRESSED is 0x800)
 * @param addr virtual address when loaded, or 0
 * @param offset file offset of the contents
 * @param size size of the contents in the file (compressed size when compressed)
 * @param link sh_link
 * @param info sh_info
 * @param addrAlign sh_addralign
 * @param entSize sh_entsize
 */
public record Section(
    int index,
    String name,
    int type,
    long flags,
    long addr,
    long offset,
    long size,
    int link,
    int info,
    long addrAlign,
    long entSize) {

  public static final int SHT_NOBITS = 8;
  public static final int SHT_SYMTAB = 2;
  public static final int SHT_DYNSYM = 11;
  public static final int SHT_NOTE = 7;
  public static final long SHF_COMPRESSED = 0x800;

  public boolean compressed() {
    return (flags & SHF_COMPRESSED) != 0;
  }

  /** True when the section occupies bytes in the file. */
  public boolean hasFileData() {
    return type != SHT_NOBITS && type != 0;
  }
}
