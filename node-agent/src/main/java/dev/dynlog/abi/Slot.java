package dev.dynlog.abi;

import dev.dynlog.recipe.Piece;
import dev.dynlog.recipe.Register;

/**
 * Where some bytes of an argument or result live at the probed PC: the low {@code size} bytes of a
 * general purpose register, of an XMM register, or {@code size} bytes of the stack at {@code RSP +
 * stackOffset}. The slot holds bytes [{@code valueOffset}, {@code valueOffset + size}) of the
 * value.
 */
public record Slot(
    Kind kind, Register register, int xmm, long stackOffset, int size, long valueOffset) {

  /** The storage a slot is in. */
  public enum Kind {
    GPR,
    /** An SSE register: real, but not in {@code pt_regs}, so a uprobe cannot read it. */
    XMM,
    STACK
  }

  public static Slot gpr(Register register, int size, long valueOffset) {
    return new Slot(Kind.GPR, register, -1, 0, size, valueOffset);
  }

  public static Slot xmm(int index, int size, long valueOffset) {
    return new Slot(Kind.XMM, null, index, 0, size, valueOffset);
  }

  public static Slot stack(long spOffset, int size, long valueOffset) {
    return new Slot(Kind.STACK, null, -1, spOffset, size, valueOffset);
  }

  /** One past the last value byte this slot holds. */
  public long valueEnd() {
    return valueOffset + size;
  }

  /** True when a uprobe can read this slot. */
  public boolean readable() {
    return kind != Kind.XMM;
  }

  /** The bytes [{@code from}, {@code to}) of the value that this slot holds, as a narrower slot. */
  public Slot narrowed(long from, long to) {
    long lo = Math.max(from, valueOffset);
    long hi = Math.min(to, valueEnd());
    long skip = lo - valueOffset;
    return switch (kind) {
      // A register piece is always the register's low bytes, so it cannot start mid-register.
      case GPR, XMM -> this;
      case STACK -> stack(stackOffset + skip, (int) (hi - lo), lo);
    };
  }

  /** This slot as a probe-recipe piece whose bytes start at {@code base} of the root buffer. */
  public Piece toPiece(long base) {
    int at = Math.toIntExact(valueOffset - base);
    return switch (kind) {
      case GPR -> Piece.register(register, size, at);
      case STACK -> Piece.stack(stackOffset, size, at);
      case XMM -> throw new IllegalStateException("X" + xmm + " cannot be read by a uprobe");
    };
  }

  /** Register or stack name, as people write it: {@code RAX}, {@code X0}, {@code [rsp+8]}. */
  public String where() {
    return switch (kind) {
      case GPR -> register.name();
      case XMM -> "X" + xmm;
      case STACK -> "[rsp+" + stackOffset + "]";
    };
  }

  @Override
  public String toString() {
    String w = where();
    if (kind != Kind.STACK && size < 8) w += "/" + size;
    if (kind == Kind.STACK && size != 8) w += "/" + size;
    return w;
  }
}
