package dev.dynlog.plan;

import dev.dynlog.abi.Slot;
import java.util.ArrayList;
import java.util.List;

/** Where a (sub-)value lives, symbolically, while an expression is planned. */
sealed interface Place {

  /** The value's bytes are bytes [offset, ...) of the value held by {@code slots}. */
  record Direct(List<Slot> slots, long offset) implements Place {
    @Override
    public Place plus(long delta) {
      return new Direct(slots, offset + delta);
    }

    /** The slots holding any of the bytes [offset, offset + len). */
    List<Slot> covering(long len) {
      List<Slot> out = new ArrayList<>();
      for (Slot s : slots) {
        if (s.valueOffset() < offset + len && s.valueEnd() > offset) out.add(s);
      }
      out.sort((a, b) -> Long.compare(a.valueOffset(), b.valueOffset()));
      return out;
    }
  }

  /**
   * The value is in memory: A = first 8 bytes of {@code root}; A = *(A + d) for each d in
   * {@code derefs}; the value starts at A + {@code offset}.
   */
  record Memory(List<Piece> root, List<Long> derefs, long offset) implements Place {
    public Memory {
      root = List.copyOf(root);
      derefs = List.copyOf(derefs);
    }

    @Override
    public Place plus(long delta) {
      return new Memory(root, derefs, offset + delta);
    }

    /** The place reached by following the pointer stored at this place. */
    Memory deref() {
      List<Long> more = new ArrayList<>(derefs);
      more.add(offset);
      return new Memory(root, more, 0);
    }

    String describe() {
      StringBuilder sb = new StringBuilder();
      for (Piece p : root) {
        if (sb.length() > 0) sb.append(',');
        sb.append(p.source() == Piece.Source.REGISTER ? p.register().name() : "[rsp+" + p.stackOffset() + "]");
      }
      for (long d : derefs) {
        sb.insert(0, "*(").append(d == 0 ? "" : "+" + d).append(')');
      }
      return "*(" + sb + (offset == 0 ? "" : "+" + offset) + ")";
    }
  }

  /** The same kind of place, {@code delta} bytes further into the value. */
  Place plus(long delta);
}
