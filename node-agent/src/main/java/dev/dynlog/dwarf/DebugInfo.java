package dev.dynlog.dwarf;

import dev.dynlog.symbols.Function.Range;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Random access to {@code .debug_info} (and DWARF 4 {@code .debug_types}): unit headers, DIEs by
 * offset, children, and the attribute classes that need other sections (strings, addresses,
 * references, range lists). DIEs of {@code .debug_types} get offsets with {@link #TYPES_BIT} set so
 * that offsets stay unique across both sections.
 */
final class DebugInfo {
  /** Marks offsets that belong to {@code .debug_types}. */
  static final long TYPES_BIT = 1L << 48;

  /** DIE trees deeper than this are rejected as corrupt. */
  static final int MAX_DEPTH = 1024;

  /** DW_FORM_indirect chains longer than this are rejected. */
  private static final int MAX_INDIRECT = 4;

  final String binary;
  final ByteReader info;
  final ByteReader types;
  final ByteReader abbrev;
  final ByteReader str;
  final ByteReader lineStr;
  final ByteReader strOffsets;
  final ByteReader addr;
  final ByteReader rnglists;
  final ByteReader ranges;

  /**
   * Bytes that subtree skipping may still scan during the current operation. Well-formed DWARF
   * never rescans much; corrupt nesting could make every type rescan a whole unit, so each public
   * operation gets a budget proportional to the section size.
   */
  private long budget;

  private final List<Unit> units;
  private final List<Unit> typeUnits;
  private final Map<Long, AbbrevTable> abbrevTables = new HashMap<>();
  private Map<Long, Long> signatures;

  DebugInfo(String binary, Function<String, ByteBuffer> sections) {
    this.binary = binary;
    this.info = reader(sections, ".debug_info");
    this.types = reader(sections, ".debug_types");
    this.abbrev = reader(sections, ".debug_abbrev");
    this.str = reader(sections, ".debug_str");
    this.lineStr = reader(sections, ".debug_line_str");
    this.strOffsets = reader(sections, ".debug_str_offsets");
    this.addr = reader(sections, ".debug_addr");
    this.rnglists = reader(sections, ".debug_rnglists");
    this.ranges = reader(sections, ".debug_ranges");
    this.units = readUnits(info, false);
    this.typeUnits = readUnits(types, true);
    resetBudget();
  }

  private static ByteReader reader(Function<String, ByteBuffer> sections, String name) {
    ByteBuffer b = sections.apply(name);
    return new ByteReader(b == null ? ByteBuffer.allocate(0) : b, name);
  }

  private List<Unit> readUnits(ByteReader r, boolean typesSection) {
    List<Unit> out = new ArrayList<>();
    r.seek(0);
    while (r.pos() < r.size()) {
      if (r.size() - r.pos() < 11) break; // trailing padding
      Unit u = Unit.readHeader(r, typesSection);
      u.abbrevs = abbrevTable(u.abbrevOffset);
      readRootAttributes(u);
      out.add(u);
      r.limit(r.size());
      r.seek(u.end);
    }
    return out;
  }

  /** Reads the bases, language and producer from a unit's root DIE. */
  private void readRootAttributes(Unit u) {
    if (u.firstDie >= u.end) return;
    Die root = readDie(u, u.firstDie + (u.inTypesSection ? TYPES_BIT : 0));
    if (root == null) return;
    u.strOffsetsBase = root.constant(Dw.AT_str_offsets_base, u.version >= 5 ? 8 : 0);
    u.addrBase = root.constant(Dw.AT_addr_base, root.constant(Dw.AT_GNU_addr_base, 8));
    u.rnglistsBase = root.constant(Dw.AT_rnglists_base, -1);
    u.loclistsBase = root.constant(Dw.AT_loclists_base, -1);
    long low = root.address(Dw.AT_low_pc);
    u.baseAddress = low < 0 ? 0 : low;
    u.languageCode = (int) root.constant(Dw.AT_language, 0);
    u.producer = root.string(Dw.AT_producer);
    u.name = root.name();
  }

  List<Unit> units() {
    return units;
  }

  /** Starts a new operation's scanning budget. */
  void resetBudget() {
    budget = 2L * (info.size() + types.size()) + (16 << 20);
  }

  /** The units of .debug_info, then those of .debug_types. */
  List<Unit> allUnits() {
    List<Unit> all = new ArrayList<>(units);
    all.addAll(typeUnits);
    return all;
  }

  /** The address ranges of a unit's code (from its root DIE), empty when it has none. */
  List<Range> unitRanges(Unit u) {
    if (u.firstDie >= u.end) return List.of();
    Die root = readDie(u, u.firstDie | (u.inTypesSection ? TYPES_BIT : 0));
    return root == null ? List.of() : ranges(root);
  }

  AbbrevTable abbrevTable(long offset) {
    AbbrevTable t = abbrevTables.get(offset);
    if (t == null) {
      t = AbbrevTable.parse(abbrev, offset);
      abbrevTables.put(offset, t);
    }
    return t;
  }

  /** The unit containing a DIE offset. */
  Unit unitAt(long dieOffset) {
    boolean inTypes = (dieOffset & TYPES_BIT) != 0;
    long off = dieOffset & ~TYPES_BIT;
    List<Unit> list = inTypes ? typeUnits : units;
    int lo = 0;
    int hi = list.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      Unit u = list.get(mid);
      if (off < u.offset) hi = mid - 1;
      else if (off >= u.end) lo = mid + 1;
      else return u;
    }
    throw new DwarfFormatException(
        binary
            + ": DIE offset 0x"
            + Long.toHexString(off)
            + " is not inside any unit of "
            + (inTypes ? ".debug_types" : ".debug_info"));
  }

  ByteReader readerFor(long dieOffset) {
    return (dieOffset & TYPES_BIT) != 0 ? types : info;
  }

  /** Reads the DIE at an absolute offset, or returns null for a null entry (end of siblings). */
  Die die(long dieOffset) {
    return readDie(unitAt(dieOffset), dieOffset);
  }

  Die readDie(Unit u, long dieOffset) {
    ByteReader r = readerFor(dieOffset);
    long off = dieOffset & ~TYPES_BIT;
    if (off < u.firstDie || off >= u.end) {
      throw r.error("DIE offset 0x" + Long.toHexString(off) + " is outside its unit's DIEs");
    }
    r.limit(r.size());
    r.seek(off);
    r.limit(u.end);
    long code = r.uleb();
    if (code == 0) return null;
    Abbrev a = u.abbrevs.get(code);
    if (a == null)
      throw r.error("unknown abbreviation code " + code + " at DIE 0x" + Long.toHexString(off));
    int n = a.attrs.length;
    int[] forms = new int[n];
    long[] values = new long[n];
    Object[] objects = new Object[n];
    for (int i = 0; i < n; i++) {
      int form = a.forms[i];
      for (int k = 0; form == Dw.FORM_indirect; k++) {
        if (k == MAX_INDIRECT) throw r.error("DW_FORM_indirect chain too long");
        form = (int) r.uleb();
      }
      forms[i] = form;
      if (form == Dw.FORM_implicit_const) {
        values[i] = a.implicitConst[i];
      } else {
        values[i] = readValue(r, u, form, objects, i);
      }
    }
    long end = r.pos() | (dieOffset & TYPES_BIT);
    return new Die(this, u, dieOffset, a, forms, values, objects, end);
  }

  static long readValue(ByteReader r, Unit u, int form, Object[] objects, int i) {
    switch (form) {
      case Dw.FORM_addr:
        return r.unsigned(u.addressSize);
      case Dw.FORM_data1:
      case Dw.FORM_ref1:
      case Dw.FORM_flag:
      case Dw.FORM_strx1:
      case Dw.FORM_addrx1:
        return r.u8();
      case Dw.FORM_data2:
      case Dw.FORM_ref2:
      case Dw.FORM_strx2:
      case Dw.FORM_addrx2:
        return r.u16();
      case Dw.FORM_strx3:
      case Dw.FORM_addrx3:
        return r.u24();
      case Dw.FORM_data4:
      case Dw.FORM_ref4:
      case Dw.FORM_strx4:
      case Dw.FORM_addrx4:
      case Dw.FORM_ref_sup4:
        return r.u32();
      case Dw.FORM_data8:
      case Dw.FORM_ref8:
      case Dw.FORM_ref_sig8:
      case Dw.FORM_ref_sup8:
        return r.u64();
      case Dw.FORM_data16:
        objects[i] = r.bytes(16);
        return 0;
      case Dw.FORM_strp:
      case Dw.FORM_sec_offset:
      case Dw.FORM_line_strp:
      case Dw.FORM_strp_sup:
      case Dw.FORM_GNU_ref_alt:
      case Dw.FORM_GNU_strp_alt:
        return r.unsigned(u.offsetSize);
      case Dw.FORM_ref_addr:
        return r.unsigned(u.version <= 2 ? u.addressSize : u.offsetSize);
      case Dw.FORM_flag_present:
        return 1;
      case Dw.FORM_sdata:
        return r.sleb();
      case Dw.FORM_udata:
      case Dw.FORM_ref_udata:
      case Dw.FORM_strx:
      case Dw.FORM_addrx:
      case Dw.FORM_loclistx:
      case Dw.FORM_rnglistx:
      case Dw.FORM_GNU_addr_index:
      case Dw.FORM_GNU_str_index:
        return r.uleb();
      case Dw.FORM_string:
        objects[i] = r.cstring();
        return 0;
      case Dw.FORM_block1:
        objects[i] = r.bytes(r.u8());
        return 0;
      case Dw.FORM_block2:
        objects[i] = r.bytes(r.u16());
        return 0;
      case Dw.FORM_block4:
        objects[i] = r.bytes(r.u32());
        return 0;
      case Dw.FORM_block:
      case Dw.FORM_exprloc:
        objects[i] = r.bytes(r.uleb());
        return 0;
      default:
        throw r.error("unknown attribute form 0x" + Integer.toHexString(form));
    }
  }

  /** Skips one attribute value of a variable-size form (fixed sizes are skipped by the caller). */
  static void skipValue(ByteReader r, Unit u, int form) {
    for (int k = 0; form == Dw.FORM_indirect; k++) {
      if (k == MAX_INDIRECT) throw r.error("DW_FORM_indirect chain too long");
      form = (int) r.uleb();
    }
    int fixed = Abbrev.fixedSize(form, u);
    if (fixed >= 0) {
      r.skip(fixed);
      return;
    }
    switch (form) {
      case Dw.FORM_sdata,
          Dw.FORM_udata,
          Dw.FORM_ref_udata,
          Dw.FORM_strx,
          Dw.FORM_addrx,
          Dw.FORM_loclistx,
          Dw.FORM_rnglistx,
          Dw.FORM_GNU_addr_index,
          Dw.FORM_GNU_str_index ->
          r.skipLeb();
      case Dw.FORM_string -> r.skipCstring();
      case Dw.FORM_block1 -> r.skip(r.u8());
      case Dw.FORM_block2 -> r.skip(r.u16());
      case Dw.FORM_block4 -> r.skip(r.u32());
      case Dw.FORM_block, Dw.FORM_exprloc -> r.skip(r.uleb());
      default -> throw r.error("unknown attribute form 0x" + Integer.toHexString(form));
    }
  }

  /**
   * The children of a DIE, in order (empty when it has none). Subtrees are skipped, not decoded.
   */
  List<Die> children(Die parent) {
    List<Die> out = new ArrayList<>();
    if (!parent.hasChildren()) return out;
    long p = parent.end;
    Unit u = parent.unit;
    long bit = parent.offset & TYPES_BIT;
    while ((p & ~TYPES_BIT) < u.end) {
      Die d = readDie(u, p);
      if (d == null) break;
      out.add(d);
      p = d.hasChildren() ? skipSubtree(d) : d.end;
      p |= bit;
    }
    return out;
  }

  /** Offset just after the subtree of a DIE with children (after its terminating null entry). */
  long skipSubtree(Die d) {
    long sib = d.ref(Dw.AT_sibling);
    if (sib > d.offset && (sib & ~TYPES_BIT) <= d.unit.end) return sib;
    ByteReader r = readerFor(d.offset);
    r.limit(r.size());
    r.seek(d.end & ~TYPES_BIT);
    r.limit(d.unit.end);
    if (budget < 0) {
      throw r.error(
          "DIE subtrees overlap so much that reading them would rescan the section many times (corrupt nesting?)");
    }
    int depth = 1;
    int start = r.pos();
    try {
      while (depth > 0) {
        if (!r.hasRemaining())
          throw r.error(
              "children of DIE 0x"
                  + Long.toHexString(d.offset & ~TYPES_BIT)
                  + " run past the unit end");
        long code = r.uleb();
        if (code == 0) {
          depth--;
          continue;
        }
        Abbrev a = d.unit.abbrevs.get(code);
        if (a == null) throw r.error("unknown abbreviation code " + code);
        skipAttributes(r, d.unit, a);
        if (a.hasChildren && ++depth > MAX_DEPTH)
          throw r.error("DIE nesting deeper than " + MAX_DEPTH);
      }
      return r.pos();
    } finally {
      budget -= r.pos() - start;
    }
  }

  static void skipAttributes(ByteReader r, Unit u, Abbrev a) {
    int total = a.fixedTotal(u);
    if (total >= 0) {
      r.skip(total);
      return;
    }
    int[] sizes = a.sizes(u);
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] >= 0) r.skip(sizes[i]);
      else skipValue(r, u, a.forms[i]);
    }
  }

  String stringValue(Unit u, int form, long value, Object obj) {
    return switch (form) {
      case Dw.FORM_string -> (String) obj;
      case Dw.FORM_strp -> str.cstringAt(value);
      case Dw.FORM_line_strp -> lineStr.cstringAt(value);
      case Dw.FORM_strx,
          Dw.FORM_strx1,
          Dw.FORM_strx2,
          Dw.FORM_strx3,
          Dw.FORM_strx4,
          Dw.FORM_GNU_str_index -> {
        if (value < 0 || value > (strOffsets.size() / u.offsetSize)) {
          throw strOffsets.error("string index " + value + " is out of range");
        }
        long entry = u.strOffsetsBase + value * u.offsetSize;
        yield str.cstringAt(strOffsets.unsignedAt(entry, u.offsetSize));
      }
      case Dw.FORM_GNU_strp_alt, Dw.FORM_strp_sup -> "<string in supplementary file>";
      default -> null;
    };
  }

  long addressValue(Unit u, int form, long value) {
    return switch (form) {
      case Dw.FORM_addr -> value;
      case Dw.FORM_addrx,
          Dw.FORM_addrx1,
          Dw.FORM_addrx2,
          Dw.FORM_addrx3,
          Dw.FORM_addrx4,
          Dw.FORM_GNU_addr_index ->
          indexedAddress(u, value);
      default -> -1;
    };
  }

  long indexedAddress(Unit u, long index) {
    if (index < 0 || index > addr.size() / u.addressSize)
      throw addr.error("address index " + index + " is out of range");
    return addr.unsignedAt(u.addrBase + index * u.addressSize, u.addressSize);
  }

  long reference(Unit u, int form, long value) {
    long bit = u.inTypesSection ? TYPES_BIT : 0;
    return switch (form) {
      case Dw.FORM_ref1, Dw.FORM_ref2, Dw.FORM_ref4, Dw.FORM_ref8, Dw.FORM_ref_udata -> {
        if (value < 0 || value >= u.end - u.offset) {
          throw readerFor(bit)
              .error("reference 0x" + Long.toHexString(value) + " points outside its " + u);
        }
        yield (u.offset + value) | bit;
      }
      case Dw.FORM_ref_addr -> value;
      case Dw.FORM_ref_sig8 -> {
        Long target = signatures().get(value);
        yield target == null ? -1 : target;
      }
      default -> -1;
    };
  }

  /** Type signature → DIE offset of the type in its type unit. */
  private Map<Long, Long> signatures() {
    if (signatures == null) {
      signatures = new HashMap<>();
      for (Unit u : units) if (u.isTypeUnit()) signatures.put(u.typeSignature, u.typeDie);
      for (Unit u : typeUnits) signatures.put(u.typeSignature, u.typeDie | TYPES_BIT);
    }
    return signatures;
  }

  /**
   * The address ranges of a DIE: [low_pc, high_pc) or DW_AT_ranges (DWARF 5 range lists or DWARF 4
   * {@code .debug_ranges}). Empty when the DIE has no code.
   */
  List<Range> ranges(Die d) {
    List<Range> out = new ArrayList<>();
    long low = d.address(Dw.AT_low_pc);
    int hiForm = d.form(Dw.AT_high_pc);
    if (low >= 0 && hiForm >= 0) {
      long high = d.address(Dw.AT_high_pc);
      if (high < 0) high = low + d.constant(Dw.AT_high_pc, 0);
      if (Long.compareUnsigned(high, low) > 0) out.add(new Range(low, high));
      return out;
    }
    int form = d.form(Dw.AT_ranges);
    if (form < 0) {
      if (low > 0) out.add(new Range(low, low + 1));
      return out;
    }
    long value = d.raw(Dw.AT_ranges);
    Unit u = d.unit;
    if (u.version >= 5) {
      long off = value;
      if (form == Dw.FORM_rnglistx) {
        long base = u.rnglistsBase < 0 ? 12 : u.rnglistsBase;
        off = base + rnglists.unsignedAt(base + value * u.offsetSize, u.offsetSize);
      } else if (d.tag() != Dw.TAG_compile_unit
          && u.rnglistsBase > 0
          && form != Dw.FORM_sec_offset) {
        off += u.rnglistsBase;
      }
      readRngList(u, off, out);
    } else {
      readDebugRanges(u, value, out);
    }
    return out;
  }

  private void readRngList(Unit u, long off, List<Range> out) {
    ByteReader r = rnglists;
    r.limit(r.size());
    r.seek(off);
    long base = u.baseAddress;
    while (true) {
      int kind = r.u8();
      switch (kind) {
        case 0:
          return;
        case 1:
          base = indexedAddress(u, r.uleb());
          break;
        case 2:
          {
            long s = indexedAddress(u, r.uleb());
            long e = indexedAddress(u, r.uleb());
            add(out, s, e);
            break;
          }
        case 3:
          {
            long s = indexedAddress(u, r.uleb());
            add(out, s, s + r.uleb());
            break;
          }
        case 4:
          {
            long s = r.uleb();
            long e = r.uleb();
            add(out, base + s, base + e);
            break;
          }
        case 5:
          base = r.unsigned(u.addressSize);
          break;
        case 6:
          {
            long s = r.unsigned(u.addressSize);
            add(out, s, r.unsigned(u.addressSize));
            break;
          }
        case 7:
          {
            long s = r.unsigned(u.addressSize);
            add(out, s, s + r.uleb());
            break;
          }
        default:
          throw r.error("unknown range list entry kind " + kind);
      }
      if (out.size() > r.size()) throw r.error("range list does not terminate");
    }
  }

  private void readDebugRanges(Unit u, long off, List<Range> out) {
    ByteReader r = ranges;
    r.limit(r.size());
    r.seek(off);
    long base = u.baseAddress;
    long max = u.addressSize == 8 ? -1L : 0xffffffffL;
    while (true) {
      long s = r.unsigned(u.addressSize);
      long e = r.unsigned(u.addressSize);
      if (s == 0 && e == 0) return;
      if (s == max) base = e;
      else add(out, base + s, base + e);
    }
  }

  private static void add(List<Range> out, long s, long e) {
    if (Long.compareUnsigned(e, s) > 0) out.add(new Range(s, e));
  }
}
