package dev.dynlog.dwarf;

import dev.dynlog.symbols.Language;

/**
 * A unit header of {@code .debug_info} (or {@code .debug_types}) plus the attributes of its root
 * DIE that other attributes depend on: string/address/range-list bases, base address, language.
 */
final class Unit {
  static final int UT_compile = 1;
  static final int UT_type = 2;
  static final int UT_partial = 3;
  static final int UT_skeleton = 4;
  static final int UT_split_compile = 5;
  static final int UT_split_type = 6;

  /** Offset of the unit header in its section. */
  final long offset;

  /** End of the unit (exclusive). */
  final long end;

  final int version;
  final int unitType;
  final int addressSize;
  final int offsetSize;
  final long abbrevOffset;
  final long firstDie;

  /** Type units: the type signature and the offset of the type DIE (absolute). */
  final long typeSignature;

  final long typeDie;

  /** True when the unit lives in the DWARF 4 {@code .debug_types} section. */
  final boolean inTypesSection;

  AbbrevTable abbrevs;
  long strOffsetsBase = -1;
  long addrBase = -1;
  long rnglistsBase = -1;
  long loclistsBase = -1;
  long baseAddress;
  int languageCode;
  String producer;
  String name;

  Unit(
      long offset,
      long end,
      int version,
      int unitType,
      int addressSize,
      int offsetSize,
      long abbrevOffset,
      long firstDie,
      long typeSignature,
      long typeDie,
      boolean inTypesSection) {
    this.offset = offset;
    this.end = end;
    this.version = version;
    this.unitType = unitType;
    this.addressSize = addressSize;
    this.offsetSize = offsetSize;
    this.abbrevOffset = abbrevOffset;
    this.firstDie = firstDie;
    this.typeSignature = typeSignature;
    this.typeDie = typeDie;
    this.inTypesSection = inTypesSection;
  }

  /** Distinguishes unit formats for caching form sizes. */
  int formatKey() {
    return version << 8 | addressSize << 4 | offsetSize;
  }

  boolean isTypeUnit() {
    return unitType == UT_type || unitType == UT_split_type;
  }

  Language language() {
    return switch (languageCode) {
      case Dw.LANG_GO -> Language.GO;
      case 0x01, 0x02, 0x0c, 0x1d, 0x2c -> Language.C;
      case 0x04, 0x1a, 0x1b, 0x21, 0x2a, 0x2b -> Language.CPP;
      default -> Language.OTHER;
    };
  }

  /** Parses the unit header at {@code r}'s position. */
  static Unit readHeader(ByteReader r, boolean typesSection) {
    long start = r.pos();
    long length = r.u32();
    int offsetSize = 4;
    if (length == 0xffffffffL) {
      length = r.u64();
      offsetSize = 8;
    } else if (length >= 0xfffffff0L) {
      throw r.error("reserved unit length 0x" + Long.toHexString(length));
    }
    long contentStart = r.pos();
    if (length < 0 || length > r.size() - contentStart) {
      throw r.error(
          "unit at 0x"
              + Long.toHexString(start)
              + " claims length 0x"
              + Long.toHexString(length)
              + ", past the section end 0x"
              + Integer.toHexString(r.size()));
    }
    long end = contentStart + length;
    int saveLimit = r.limit();
    r.limit(end);
    int version = r.u16();
    if (version < 2 || version > 5)
      throw r.error(
          "unsupported DWARF version " + version + " in unit at 0x" + Long.toHexString(start));
    int unitType = UT_compile;
    int addrSize;
    long abbrevOffset;
    long sig = 0;
    long typeOff = 0;
    if (version >= 5) {
      unitType = r.u8();
      addrSize = r.u8();
      abbrevOffset = r.unsigned(offsetSize);
      if (unitType == UT_type || unitType == UT_split_type) {
        sig = r.u64();
        typeOff = r.unsigned(offsetSize);
      } else if (unitType == UT_skeleton || unitType == UT_split_compile) {
        r.u64(); // dwo_id
      } else if (unitType != UT_compile && unitType != UT_partial) {
        throw r.error(
            "unknown unit type 0x"
                + Integer.toHexString(unitType)
                + " in unit at 0x"
                + Long.toHexString(start));
      }
    } else {
      abbrevOffset = r.unsigned(offsetSize);
      addrSize = r.u8();
      if (typesSection) {
        unitType = UT_type;
        sig = r.u64();
        typeOff = r.unsigned(offsetSize);
      }
    }
    if (addrSize != 8 && addrSize != 4)
      throw r.error(
          "unsupported address size " + addrSize + " in unit at 0x" + Long.toHexString(start));
    long first = r.pos();
    r.limit(saveLimit);
    r.seek(end);
    long typeDie = typeOff == 0 ? 0 : start + typeOff;
    return new Unit(
        start,
        end,
        version,
        unitType,
        addrSize,
        offsetSize,
        abbrevOffset,
        first,
        sig,
        typeDie,
        typesSection);
  }

  @Override
  public String toString() {
    return "unit at 0x" + Long.toHexString(offset) + (name == null ? "" : " (" + name + ")");
  }
}
