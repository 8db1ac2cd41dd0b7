package dev.dynlog.plan;

import dev.dynlog.abi.Slot;
import dev.dynlog.recipe.Piece;
import dev.dynlog.recipe.RecipeLimits;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.types.Type;
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

    /**
     * The recipe pieces holding bytes [offset, offset + size) of this value: the registers whole (a
     * field in the upper bytes of a register is taken from the root buffer at {@code finalOffset}),
     * stack slots narrowed to the bytes and split into eightbytes. When a byte is in an XMM
     * register the result carries the reason instead.
     */
    RootBytes rootBytes(long size, String path, Type type) throws ResolveException {
      List<Slot> covering = covering(size);
      for (Slot s : covering) {
        if (!s.readable()) {
          return new RootBytes(
              List.of(),
              0,
              type.displayName()
                  + " `"
                  + path
                  + "` is passed in X"
                  + s.xmm()
                  + "; uprobes cannot read XMM registers");
        }
      }
      long covered = offset;
      List<Slot> narrowed = new ArrayList<>();
      for (Slot s : covering) {
        if (s.valueOffset() > covered) break;
        Slot n = s.narrowed(offset, offset + size);
        if (n.kind() == Slot.Kind.STACK) {
          for (long at = n.valueOffset(); at < n.valueEnd(); at += 8) {
            narrowed.add(
                Slot.stack(
                    n.stackOffset() + (at - n.valueOffset()),
                    (int) Math.min(8, n.valueEnd() - at),
                    at));
          }
        } else {
          narrowed.add(n);
        }
        covered = Math.max(covered, s.valueEnd());
      }
      if (covered < offset + size || narrowed.isEmpty()) {
        throw new ResolveException(
            "`"
                + path
                + "`: bytes "
                + offset
                + ".."
                + (offset + size)
                + " are not held by its registers or stack slots");
      }
      if (narrowed.size() > RecipeLimits.MAX_PIECES) {
        throw new ResolveException(
            "`"
                + path
                + "` spans "
                + narrowed.size()
                + " register/stack pieces; a probe read"
                + " assembles at most "
                + RecipeLimits.MAX_PIECES);
      }
      long base = narrowed.get(0).valueOffset();
      List<Piece> pieces = new ArrayList<>();
      for (Slot s : narrowed) pieces.add(s.toPiece(base));
      return new RootBytes(pieces, offset - base, null);
    }

    /** The registers and stack slots holding the {@code size} bytes of the value, for people. */
    String describe(long size) {
      List<Slot> slots = covering(size);
      if (slots.isEmpty()) return "none (zero-sized)";
      List<String> parts = new ArrayList<>();
      for (Slot sl : slots) {
        Slot n = sl.narrowed(offset, offset + size);
        parts.add(n.kind() == Slot.Kind.STACK ? "[rsp+" + n.stackOffset() + "]" : n.toString());
      }
      return String.join(",", parts);
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
   * The value is in memory: A = first 8 bytes of {@code root}; A = *(A + d) for each d in {@code
   * derefs}; the value starts at A + {@code offset}.
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
        sb.append(
            p.source() == Piece.Source.REGISTER
                ? p.register().name()
                : "[rsp+" + p.stackOffset() + "]");
      }
      for (long d : derefs) {
        sb.insert(0, "*(").append(d == 0 ? "" : "+" + d).append(')');
      }
      return "*(" + sb + (offset == 0 ? "" : "+" + offset) + ")";
    }
  }

  /**
   * A read's root: {@code pieces} assembled into a buffer whose byte {@code finalOffset} starts the
   * value, or why it cannot be read ({@code unavailable}).
   */
  record RootBytes(List<Piece> pieces, long finalOffset, String unavailable) {}

  /** The same kind of place, {@code delta} bytes further into the value. */
  Place plus(long delta);
}
