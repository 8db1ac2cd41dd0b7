package dev.dynlog.dwarf;

/**
 * One abbreviation: a DIE's tag, whether it has children, and its attribute specs. Caches, per unit
 * format, the size of each attribute form so that scanning can skip fixed-size attributes without
 * decoding them.
 */
final class Abbrev {
  final long code;
  final int tag;
  final boolean hasChildren;
  final int[] attrs;
  final int[] forms;
  final long[] implicitConst;

  private int sizesKey = -1;
  private int[] sizes;

  /** Sum of all attribute sizes when every form has a fixed size, else -1. */
  private int fixedTotal;

  Abbrev(long code, int tag, boolean hasChildren, int[] attrs, int[] forms, long[] implicitConst) {
    this.code = code;
    this.tag = tag;
    this.hasChildren = hasChildren;
    this.attrs = attrs;
    this.forms = forms;
    this.implicitConst = implicitConst;
  }

  /** Index of an attribute in this abbreviation, or -1. */
  int indexOf(int attr) {
    for (int i = 0; i < attrs.length; i++) {
      if (attrs[i] == attr) return i;
    }
    return -1;
  }

  /** Per-attribute byte sizes for a unit format (-1 for variable-size forms). */
  int[] sizes(Unit u) {
    int key = u.formatKey();
    if (key != sizesKey) {
      int[] s = new int[forms.length];
      int total = 0;
      for (int i = 0; i < forms.length; i++) {
        s[i] = fixedSize(forms[i], u);
        total = (s[i] < 0 || total < 0) ? -1 : total + s[i];
      }
      sizes = s;
      fixedTotal = total;
      sizesKey = key;
    }
    return sizes;
  }

  /** Total size of all attributes when all are fixed-size, else -1; call {@link #sizes} first. */
  int fixedTotal(Unit u) {
    sizes(u);
    return fixedTotal;
  }

  static int fixedSize(int form, Unit u) {
    return switch (form) {
      case Dw.FORM_addr -> u.addressSize;
      case Dw.FORM_data1, Dw.FORM_ref1, Dw.FORM_flag, Dw.FORM_strx1, Dw.FORM_addrx1 -> 1;
      case Dw.FORM_data2, Dw.FORM_ref2, Dw.FORM_strx2, Dw.FORM_addrx2 -> 2;
      case Dw.FORM_strx3, Dw.FORM_addrx3 -> 3;
      case Dw.FORM_data4, Dw.FORM_ref4, Dw.FORM_strx4, Dw.FORM_addrx4, Dw.FORM_ref_sup4 -> 4;
      case Dw.FORM_data8, Dw.FORM_ref8, Dw.FORM_ref_sig8, Dw.FORM_ref_sup8 -> 8;
      case Dw.FORM_data16 -> 16;
      case Dw.FORM_strp,
          Dw.FORM_sec_offset,
          Dw.FORM_line_strp,
          Dw.FORM_strp_sup,
          Dw.FORM_GNU_ref_alt,
          Dw.FORM_GNU_strp_alt ->
          u.offsetSize;
      case Dw.FORM_ref_addr -> u.version <= 2 ? u.addressSize : u.offsetSize;
      case Dw.FORM_flag_present, Dw.FORM_implicit_const -> 0;
      default -> -1;
    };
  }
}
