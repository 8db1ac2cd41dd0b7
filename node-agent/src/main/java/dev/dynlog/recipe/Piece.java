package dev.dynlog.recipe;

/**
 * Where some bytes of a value live at the probed PC: the low {@code size} bytes of a register, or
 * {@code size} bytes of memory at {@code RSP + stackOffset} (RSP as it is at the probe, i.e.
 * pointing at the return address on entry and at a Go RET). The piece supplies bytes [{@code
 * valueOffset}, {@code valueOffset + size}) of the value.
 */
public record Piece(Source source, Register register, long stackOffset, int size, int valueOffset) {

  public enum Source {
    REGISTER,
    STACK
  }

  public static Piece register(Register r, int size, int valueOffset) {
    return new Piece(Source.REGISTER, r, 0, size, valueOffset);
  }

  public static Piece stack(long spOffset, int size, int valueOffset) {
    return new Piece(Source.STACK, null, spOffset, size, valueOffset);
  }

  @Override
  public String toString() {
    String where = source == Source.REGISTER ? register.name() : "[rsp+" + stackOffset + "]";
    return where + (size == 8 ? "" : "/" + size) + (valueOffset == 0 ? "" : "@" + valueOffset);
  }
}
