package dev.dynlog.recipe;

import java.util.List;

/**
 * One primitive read the BPF program performs, the unit of a probe recipe.
 *
 * <ol>
 *   <li>Assemble a root buffer from {@code root} pieces (registers and stack slots).
 *   <li>If {@code memory} is false, the bytes are {@code root[finalOffset, finalOffset + size)}.
 *   <li>Otherwise let A be the first 8 bytes of root as an address; for each d in {@code derefs}, A
 *       = *(u64 *)(A + d); then read {@code size} bytes at A + {@code finalOffset}.
 *   <li>Then, by {@code kind}: BYTES keeps them; GO_STRING treats them as {ptr, len} and reads
 *       min(len, cap) bytes at ptr; GO_SLICE as {ptr, len, cap} and reads min(len, cap) bytes;
 *       C_STRING as a pointer to a NUL-terminated string of at most cap bytes; STD_STRING as
 *       libstdc++'s {ptr, len, ...} and reads min(len, cap) bytes at ptr.
 * </ol>
 *
 * Any unreadable address yields a per-read error (the row is kept).
 */
public record Read(
    List<Piece> root,
    boolean memory,
    List<Long> derefs,
    long finalOffset,
    int size,
    Kind kind,
    int cap) {

  /** How the bytes of a read are taken; {@link #code()} is {@code enum read_kind} in the BPF C. */
  public enum Kind {
    BYTES(0),
    GO_STRING(1),
    GO_SLICE(2),
    C_STRING(3),
    STD_STRING(4);

    private final int code;

    Kind(int code) {
      this.code = code;
    }

    /** The value of {@code K_<name>} in the BPF program's {@code enum read_kind}. */
    public int code() {
      return code;
    }
  }

  public Read {
    root = List.copyOf(root);
    derefs = List.copyOf(derefs);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(root.toString());
    if (memory) {
      for (long d : derefs) sb.insert(0, "*(").append(d == 0 ? "" : "+" + d).append(")");
      sb.insert(0, "[").append(finalOffset == 0 ? "" : "+" + finalOffset).append("]");
    } else if (finalOffset != 0) {
      sb.append(" bytes ").append(finalOffset).append("..");
    }
    sb.append(" ").append(size).append("B");
    if (kind != Kind.BYTES) sb.append(" ").append(kind).append(" cap ").append(cap);
    return sb.toString();
  }
}
