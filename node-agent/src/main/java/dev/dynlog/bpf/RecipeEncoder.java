package dev.dynlog.bpf;

import com.sun.jna.Memory;
import dev.dynlog.recipe.Piece;
import dev.dynlog.recipe.Read;
import dev.dynlog.recipe.RecipeLimits;
import java.util.Comparator;
import java.util.List;

/**
 * Encodes the reads of one probe site into the BPF {@code struct recipe}, checking them against the
 * program's limits ({@link RecipeLimits}); anything out of bounds is an error naming the read.
 */
public final class RecipeEncoder {
  private RecipeEncoder() {}

  /**
   * @param site "entry" or "return", for messages
   * @param reads the reads in order; record i of an event is read i
   * @param errorRead index of the read whose first word is a Go error's type word, or -1
   */
  public static Memory encode(String function, String site, List<Read> reads, int errorRead)
      throws BpfException {
    if (reads.size() > RecipeLimits.MAX_READS) {
      throw new BpfException(
          function
              + ": "
              + reads.size()
              + " reads at "
              + site
              + ", the BPF program reads at most "
              + RecipeLimits.MAX_READS
              + " per site (capture fewer values or fewer struct fields)");
    }
    Memory m = new Memory(Layout.RECIPE_SIZE);
    m.clear();
    m.setInt(Layout.RECIPE_NREADS, reads.size());
    m.setInt(Layout.RECIPE_ERROR_READ, errorRead);
    for (int i = 0; i < reads.size(); i++) {
      encodeRead(
          function, site, i, reads.get(i), m, Layout.RECIPE_READS + (long) i * Layout.READ_SIZE);
    }
    return m;
  }

  private static void encodeRead(String function, String site, int index, Read r, Memory m, long at)
      throws BpfException {
    String where = function + " " + site + " read " + index + " (" + r + ")";
    if (r.root().isEmpty() || r.root().size() > RecipeLimits.MAX_PIECES) {
      throw new BpfException(
          where + ": " + r.root().size() + " root pieces, expected 1.." + RecipeLimits.MAX_PIECES);
    }
    if (r.derefs().size() > RecipeLimits.MAX_DEREFS) {
      throw new BpfException(
          where + ": " + r.derefs().size() + " dereferences, at most " + RecipeLimits.MAX_DEREFS);
    }
    int size = r.size();
    // string kinds read only their header ({ptr, len[, cap]}: the first 8..24 bytes of size)
    if (size <= 0 || size > RecipeLimits.MAX_VALUE_BYTES)
      throw new BpfException(
          where + ": size " + size + " out of 1.." + RecipeLimits.MAX_VALUE_BYTES);
    if (r.kind() != Read.Kind.BYTES && r.kind() != Read.Kind.C_STRING && size < 16) {
      throw new BpfException(
          where + ": a " + r.kind() + " needs at least 16 bytes ({ptr, len}), got " + size);
    }
    if (r.kind() == Read.Kind.C_STRING && size < 8)
      throw new BpfException(where + ": a C string pointer needs 8 bytes");
    if (!r.memory()
        && (r.finalOffset() < 0 || r.finalOffset() + size > RecipeLimits.MAX_ROOT_BYTES)) {
      throw new BpfException(
          where
              + ": bytes "
              + r.finalOffset()
              + ".."
              + (r.finalOffset() + size)
              + " of the root are outside 0.."
              + RecipeLimits.MAX_ROOT_BYTES);
    }
    if (r.kind() != Read.Kind.BYTES && (r.cap() < 0 || r.cap() > RecipeLimits.MAX_VALUE_BYTES)) {
      throw new BpfException(
          where + ": string cap " + r.cap() + " out of 0.." + RecipeLimits.MAX_VALUE_BYTES);
    }
    m.setInt(at + Layout.READ_KIND, r.kind().code());
    m.setInt(at + Layout.READ_MEMORY, r.memory() ? 1 : 0);
    m.setInt(at + Layout.READ_NPIECES, r.root().size());
    m.setInt(at + Layout.READ_NDEREFS, r.derefs().size());
    m.setLong(at + Layout.READ_FINAL_OFF, r.finalOffset());
    m.setInt(at + Layout.READ_BYTES, size);
    m.setInt(at + Layout.READ_CAP, r.kind() == Read.Kind.BYTES ? 0 : r.cap());
    // ascending value offsets: the program stores register pieces as whole words, later pieces
    // overwrite the excess of earlier ones
    List<Piece> pieces =
        r.root().stream().sorted(Comparator.comparingInt(Piece::valueOffset)).toList();
    for (int p = 0; p < pieces.size(); p++) {
      Piece piece = pieces.get(p);
      long pa = at + Layout.READ_PIECES + (long) p * Layout.PIECE_SIZE;
      if (piece.valueOffset() < 0
          || piece.size() <= 0
          || piece.valueOffset() + Math.max(8, piece.size()) > RecipeLimits.MAX_ROOT_BYTES) {
        throw new BpfException(
            where
                + ": piece "
                + piece
                + " does not fit the "
                + RecipeLimits.MAX_ROOT_BYTES
                + "-byte root");
      }
      if (r.memory() && r.root().size() == 1 && piece.size() < 8 && piece.valueOffset() == 0) {
        throw new BpfException(
            where
                + ": a dereferenced root needs 8 address bytes, piece "
                + piece
                + " has "
                + piece.size());
      }
      if (piece.source() == Piece.Source.REGISTER) {
        if (piece.size() > 8)
          throw new BpfException(where + ": register piece " + piece + " larger than 8 bytes");
        m.setInt(pa + Layout.PIECE_SOURCE, Layout.SRC_REGISTER);
        m.setInt(pa + Layout.PIECE_REG_OFF, piece.register().ptRegsOffset());
      } else {
        m.setInt(pa + Layout.PIECE_SOURCE, Layout.SRC_STACK);
        m.setLong(pa + Layout.PIECE_STACK_OFF, piece.stackOffset());
      }
      m.setInt(pa + Layout.PIECE_BYTES, piece.size());
      m.setInt(pa + Layout.PIECE_VALUE_OFF, piece.valueOffset());
    }
    for (int d = 0; d < r.derefs().size(); d++) {
      m.setLong(at + Layout.READ_DEREFS + 8L * d, r.derefs().get(d));
    }
  }
}
