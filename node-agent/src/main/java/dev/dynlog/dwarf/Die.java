package dev.dynlog.dwarf;

/**
 * A debugging information entry with its attributes decoded to raw values. Strings, addresses and
 * references are resolved on access through {@link DebugInfo}, because their meaning depends on the
 * unit's bases.
 */
final class Die {
  final DebugInfo info;
  final Unit unit;
  final long offset;
  final Abbrev abbrev;

  /** Actual form of each attribute (after DW_FORM_indirect). */
  final int[] forms;

  final long[] values;

  /** Inline strings, blocks and 16-byte data; null for other forms. */
  final Object[] objects;

  /** Offset just after the attributes: the first child when {@link #hasChildren()}. */
  final long end;

  Die(
      DebugInfo info,
      Unit unit,
      long offset,
      Abbrev abbrev,
      int[] forms,
      long[] values,
      Object[] objects,
      long end) {
    this.info = info;
    this.unit = unit;
    this.offset = offset;
    this.abbrev = abbrev;
    this.forms = forms;
    this.values = values;
    this.objects = objects;
    this.end = end;
  }

  int tag() {
    return abbrev.tag;
  }

  boolean hasChildren() {
    return abbrev.hasChildren;
  }

  boolean has(int attr) {
    return abbrev.indexOf(attr) >= 0;
  }

  /** The string value of an attribute, or null when absent or not a string. */
  String string(int attr) {
    int i = abbrev.indexOf(attr);
    return i < 0 ? null : info.stringValue(unit, forms[i], values[i], objects[i]);
  }

  String name() {
    return string(Dw.AT_name);
  }

  /**
   * Constant value (unsigned forms zero-extended, sdata/implicit_const sign-extended), or {@code
   * dflt}.
   */
  long constant(int attr, long dflt) {
    int i = abbrev.indexOf(attr);
    if (i < 0) return dflt;
    return switch (forms[i]) {
      case Dw.FORM_data1,
          Dw.FORM_data2,
          Dw.FORM_data4,
          Dw.FORM_data8,
          Dw.FORM_udata,
          Dw.FORM_sdata,
          Dw.FORM_implicit_const,
          Dw.FORM_flag,
          Dw.FORM_sec_offset ->
          values[i];
      default -> dflt;
    };
  }

  /** Signed constant: data1/2/4 forms are sign-extended from their width. */
  long signedConstant(int attr, long dflt) {
    int i = abbrev.indexOf(attr);
    if (i < 0) return dflt;
    long v = values[i];
    return switch (forms[i]) {
      case Dw.FORM_data1 -> (byte) v;
      case Dw.FORM_data2 -> (short) v;
      case Dw.FORM_data4 -> (int) v;
      default -> constant(attr, dflt);
    };
  }

  boolean flag(int attr) {
    int i = abbrev.indexOf(attr);
    if (i < 0) return false;
    return forms[i] == Dw.FORM_flag_present || values[i] != 0;
  }

  /** Absolute .debug_info offset a reference attribute points to, or -1 when absent. */
  long ref(int attr) {
    int i = abbrev.indexOf(attr);
    return i < 0 ? -1 : info.reference(unit, forms[i], values[i]);
  }

  /** An address attribute (addr or addrx forms), or -1 when absent or of another class. */
  long address(int attr) {
    int i = abbrev.indexOf(attr);
    return i < 0 ? -1 : info.addressValue(unit, forms[i], values[i]);
  }

  int form(int attr) {
    int i = abbrev.indexOf(attr);
    return i < 0 ? -1 : forms[i];
  }

  long raw(int attr) {
    int i = abbrev.indexOf(attr);
    return i < 0 ? -1 : values[i];
  }

  byte[] block(int attr) {
    int i = abbrev.indexOf(attr);
    return i < 0 || !(objects[i] instanceof byte[] b) ? null : b;
  }

  @Override
  public String toString() {
    return "DIE 0x" + Long.toHexString(offset) + " (tag 0x" + Integer.toHexString(tag()) + ")";
  }
}
