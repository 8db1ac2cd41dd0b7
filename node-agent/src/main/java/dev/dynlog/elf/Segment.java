package dev.dynlog.elf;

/**
 * An ELF program header (segment).
 *
 * @param type p_type (1 PT_LOAD, 4 PT_NOTE, ...)
 * @param flags p_flags (1 X, 2 W, 4 R)
 */
public record Segment(
    int type,
    int flags,
    long offset,
    long vaddr,
    long paddr,
    long fileSize,
    long memSize,
    long align) {

  public static final int PT_LOAD = 1;

  /** True when a virtual address lies in the bytes this segment maps from the file. */
  public boolean containsInFile(long va) {
    return type == PT_LOAD && Long.compareUnsigned(va - vaddr, fileSize) < 0;
  }
}
