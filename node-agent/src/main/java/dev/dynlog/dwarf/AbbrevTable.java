package dev.dynlog.dwarf;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** The abbreviations of one {@code .debug_abbrev} table, by code. */
final class AbbrevTable {
  private static final int DENSE_LIMIT = 1 << 16;

  private final Abbrev[] dense;
  private final Map<Long, Abbrev> sparse;

  private AbbrevTable(Abbrev[] dense, Map<Long, Abbrev> sparse) {
    this.dense = dense;
    this.sparse = sparse;
  }

  Abbrev get(long code) {
    if (code > 0 && code < dense.length) {
      Abbrev a = dense[(int) code];
      if (a != null) return a;
    }
    return sparse.get(code);
  }

  /** Parses the table starting at {@code offset}; it ends with a zero code. */
  static AbbrevTable parse(ByteReader r, long offset) {
    r.seek(offset);
    Map<Long, Abbrev> sparse = new HashMap<>();
    long maxDense = 0;
    Map<Long, Abbrev> all = new HashMap<>();
    while (true) {
      long code = r.uleb();
      if (code == 0) break;
      int tag = (int) r.uleb();
      boolean children = r.u8() != 0;
      int n = 0;
      int[] attrs = new int[8];
      int[] forms = new int[8];
      long[] consts = new long[8];
      while (true) {
        long at = r.uleb();
        long form = r.uleb();
        if (at == 0 && form == 0) break;
        long c = 0;
        if (form == Dw.FORM_implicit_const) c = r.sleb();
        if (n == attrs.length) {
          attrs = Arrays.copyOf(attrs, n * 2);
          forms = Arrays.copyOf(forms, n * 2);
          consts = Arrays.copyOf(consts, n * 2);
        }
        attrs[n] = (int) at;
        forms[n] = (int) form;
        consts[n] = c;
        n++;
      }
      Abbrev a =
          new Abbrev(
              code,
              tag,
              children,
              Arrays.copyOf(attrs, n),
              Arrays.copyOf(forms, n),
              Arrays.copyOf(consts, n));
      if (all.putIfAbsent(code, a) != null) {
        throw r.error(
            "abbreviation code "
                + code
                + " defined twice in the table at 0x"
                + Long.toHexString(offset));
      }
      if (code < DENSE_LIMIT) maxDense = Math.max(maxDense, code);
    }
    Abbrev[] dense = new Abbrev[(int) maxDense + 1];
    for (Map.Entry<Long, Abbrev> e : all.entrySet()) {
      if (e.getKey() < DENSE_LIMIT) dense[(int) (long) e.getKey()] = e.getValue();
      else sparse.put(e.getKey(), e.getValue());
    }
    return new AbbrevTable(dense, sparse);
  }
}
