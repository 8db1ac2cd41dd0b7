package dev.dynlog.trace;

import dev.dynlog.bpf.Layout;
import dev.dynlog.plan.Decoder;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Turns the read records of one event into captured values, following a {@link Decoder} tree.
 * Values: Long (BigInteger for unsigned 64-bit values above Long.MAX_VALUE), Double, Boolean, String
 * (pointers as "0x..", text; truncated text ends with "…" and, when known, the full length as
 * "…(N bytes)"), Map (structs, in field order), List (arrays) or null (nil pointer, nil error).
 * A Go error/interface is null or the name of its dynamic type (e.g. "*errors.errorString").
 */
final class ValueDecoder {

  /** A value could not be read or decoded; the message says why (goes to Row.errors). */
  static final class Failure extends Exception {
    Failure(String message) {
      super(message, null, false, false);
    }
  }

  private final LongFunction<String> symbolizer;
  private final Map<Long, String> typeNames = new java.util.HashMap<>(); // type word → name, bounded below
  private ByteBuffer buf;
  private int[] recs;
  private int nrecs;
  private int base;

  ValueDecoder(LongFunction<String> symbolizer) {
    this.symbolizer = symbolizer;
  }

  /** Decodes a value whose reads are records {@code base..} of {@code recs} in {@code buf}. */
  Object decode(Decoder d, ByteBuffer buf, int[] recs, int nrecs, int base) throws Failure {
    this.buf = buf;
    this.recs = recs;
    this.nrecs = nrecs;
    this.base = base;
    return value(d);
  }

  private Object value(Decoder d) throws Failure {
    if (d instanceof Decoder.SignedInt s) return signed(data(s.read()), s.width(), len(s.read()));
    if (d instanceof Decoder.UnsignedInt u) return unsigned(data(u.read()), u.width(), len(u.read()));
    if (d instanceof Decoder.Bool b) return buf.get(data(b.read())) != 0;
    if (d instanceof Decoder.Float f) return floating(f.read(), f.width());
    if (d instanceof Decoder.Pointer p) {
      long v = word(p.read());
      return v == 0 ? null : "0x" + Long.toHexString(v);
    }
    if (d instanceof Decoder.Enum e) {
      int at = data(e.read());
      Object n = e.signed() ? signed(at, e.width(), len(e.read())) : unsigned(at, e.width(), len(e.read()));
      long v = ((Number) n).longValue();
      for (int i = 0; i < e.values().size(); i++) {
        if (e.values().get(i) == v) return e.names().get(i);
      }
      return n;
    }
    if (d instanceof Decoder.Text t) return text(t.read());
    if (d instanceof Decoder.CharArray c) return charArray(c.read());
    if (d instanceof Decoder.GoInterface g) return goInterface(g.read());
    if (d instanceof Decoder.GoError e) return goError(e);
    if (d instanceof Decoder.Struct s) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int i = 0; i < s.names().size(); i++) m.put(s.names().get(i), value(s.fields().get(i)));
      return Collections.unmodifiableMap(m);
    }
    if (d instanceof Decoder.Array a) {
      List<Object> l = new ArrayList<>(a.elements().size());
      for (Decoder e : a.elements()) l.add(value(e));
      return Collections.unmodifiableList(l);
    }
    if (d instanceof Decoder.Elided e) return "<" + e.why() + ">";
    if (d instanceof Decoder.Unavailable u) throw new Failure(u.why());
    throw new Failure("unknown decoder " + d);
  }

  private int rec(int read) throws Failure {
    int i = base + read;
    if (read < 0 || i >= nrecs) throw new Failure("read " + read + " missing from the event");
    int at = recs[i];
    int err = buf.getInt(at + Layout.REC_ERR);
    if (err != 0) throw new Failure(readError(err, buf.getShort(at + Layout.REC_STAGE), buf.getLong(at + Layout.REC_ADDR)));
    return at;
  }

  private int data(int read) throws Failure {
    return rec(read) + Layout.REC_HEADER;
  }

  private int len(int read) throws Failure {
    return buf.getInt(rec(read) + Layout.REC_LEN);
  }

  private long word(int read) throws Failure {
    int at = rec(read);
    int n = buf.getInt(at + Layout.REC_LEN);
    return n >= 8 ? buf.getLong(at + Layout.REC_HEADER) : unsignedBits(at + Layout.REC_HEADER, n);
  }

  private long unsignedBits(int at, int width) {
    switch (width) { // the buffer is little endian, as the records are
      case 8: return buf.getLong(at);
      case 4: return buf.getInt(at) & 0xffff_ffffL;
      case 2: return buf.getShort(at) & 0xffffL;
      case 1: return buf.get(at) & 0xffL;
      default: break;
    }
    long v = 0;
    for (int i = Math.min(width, 8) - 1; i >= 0; i--) v = (v << 8) | (buf.get(at + i) & 0xff);
    return v;
  }

  private Object signed(int at, int width, int available) throws Failure {
    checkWidth(width, available);
    long v = unsignedBits(at, width);
    if (width < 8) {
      int shift = 64 - 8 * width;
      v = (v << shift) >> shift;
    }
    return v;
  }

  private Object unsigned(int at, int width, int available) throws Failure {
    checkWidth(width, available);
    long v = unsignedBits(at, width);
    if (width == 8 && v < 0) return new BigInteger(Long.toUnsignedString(v));
    return v;
  }

  private Object floating(int read, int width) throws Failure {
    int at = data(read);
    int n = len(read);
    if (width == 4 && n >= 4) return (double) Float.intBitsToFloat(buf.getInt(at));
    if (width == 8 && n >= 8) return Double.longBitsToDouble(buf.getLong(at));
    throw new Failure("float of " + width + " bytes but " + n + " read");
  }

  private static void checkWidth(int width, int available) throws Failure {
    if (width < 1 || width > 8) throw new Failure("integer width " + width + " not supported");
    if (available < width) throw new Failure("integer of " + width + " bytes but only " + available + " read");
  }

  private String text(int read) throws Failure {
    int at = rec(read);
    int n = buf.getInt(at + Layout.REC_LEN);
    byte[] b = new byte[n];
    buf.get(at + Layout.REC_HEADER, b);
    String s = new String(b, StandardCharsets.UTF_8);
    if ((buf.getShort(at + Layout.REC_FLAGS) & Layout.RF_TRUNCATED) == 0) return s;
    long full = Integer.toUnsignedLong(buf.getInt(at + Layout.REC_FULL_LEN));
    return full > n ? s + "…(" + full + " bytes)" : s + "…";
  }

  private String charArray(int read) throws Failure {
    int at = rec(read) + Layout.REC_HEADER;
    int n = len(read);
    int end = 0;
    while (end < n && buf.get(at + end) != 0) end++;
    byte[] b = new byte[end];
    buf.get(at, b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Dynamic types whose value starts with the error message (a string). */
  private static final java.util.Set<String> MESSAGE_FIRST = java.util.Set.of("*errors.errorString", "*fmt.wrapError", "*fmt.wrapErrors");

  private Object goError(Decoder.GoError e) throws Failure {
    Object type = goInterface(e.read());
    if (type == null || !MESSAGE_FIRST.contains(type)) return type;
    try {
      return text(e.message());
    } catch (Failure unreadable) {
      return type;
    }
  }

  private Object goInterface(int read) throws Failure {
    long typeWord = word(read);
    if (typeWord == 0) return null;
    String name = typeNames.get(typeWord);
    if (name == null) {
      String sym = symbolizer == null ? null : symbolizer.apply(typeWord);
      name = sym == null ? "non-nil (type word 0x" + Long.toHexString(typeWord) + ")" : goTypeName(sym);
      if (typeNames.size() < 4096) typeNames.put(typeWord, name);
    }
    return name;
  }

  /** "go:itab.*errors.errorString,error" → "*errors.errorString"; "type:*T" → "*T". */
  static String goTypeName(String symbol) {
    String s = symbol;
    int plus = s.lastIndexOf('+');
    if (plus > 0 && s.startsWith("0x", plus + 1)) s = s.substring(0, plus);
    if (s.startsWith("go:itab.") || s.startsWith("go.itab.")) {
      s = s.substring(8);
      int comma = s.lastIndexOf(',');
      return comma > 0 ? s.substring(0, comma) : s;
    }
    if (s.startsWith("type:") || s.startsWith("type.")) return s.substring(5);
    return s;
  }

  static String readError(int err, int stage, long addr) {
    String what = switch (stage) {
      case Layout.ST_ROOT -> "reading the value's stack slot";
      case Layout.ST_FINAL -> "reading the value";
      case Layout.ST_STRING -> "reading the string's bytes";
      default -> stage >= Layout.ST_DEREF && stage < Layout.ST_FINAL
          ? "following pointer " + (stage - Layout.ST_DEREF + 1) : "stage " + stage;
    };
    String where = "address 0x" + Long.toHexString(addr) + (Long.compareUnsigned(addr, 4096) < 0 ? " (nil pointer)" : "");
    String why = -err == 14 ? "unreadable memory" : "error " + (-err);
    return why + " at " + where + " while " + what;
  }
}
