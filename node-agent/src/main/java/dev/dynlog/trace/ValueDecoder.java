package dev.dynlog.trace;

import dev.dynlog.bpf.Layout;
import dev.dynlog.plan.Decoder;
import dev.dynlog.recipe.RecipeLimits;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Turns the read records of one event into captured values, following a {@link Decoder} tree.
 * Values: Long (BigInteger for unsigned 64-bit values above Long.MAX_VALUE), Double, Boolean,
 * String (pointers as "0x..", text; truncated text ends with "…" and, when known, the full length
 * as "…(N bytes)"), Map (structs, in field order), List (arrays) or null (nil pointer, nil error).
 * A Go error/interface is null or the name of its dynamic type (e.g. "*errors.errorString"). An
 * element at a constant index past the length read in the same event is no value but the failure
 * "index 3 out of range (len 3)".
 */
final class ValueDecoder {

  /** A value could not be read or decoded; the message says why (goes to Row.errors). */
  static final class Failure extends Exception {
    Failure(String message) {
      super(message, null, false, false);
    }
  }

  private final LongFunction<String> symbolizer;

  /** Type word → name: a direct-mapped cache, so a lookup neither boxes nor allocates. */
  private final long[] typeWords = new long[TYPE_CACHE];

  private final String[] typeNames = new String[TYPE_CACHE];
  private static final int TYPE_CACHE = 256;

  /** Text bytes are copied here first: {@code new String} then makes the only copy it keeps. */
  private final byte[] scratch = new byte[(RecipeLimits.MAX_VALUE_BYTES + 8) & ~7];

  private ByteBuffer buf;
  private int[] recs;
  private int nrecs;
  private int base;

  ValueDecoder(LongFunction<String> symbolizer) {
    this.symbolizer = symbolizer;
  }

  /** Decodes a value whose reads are records {@code base..} of {@code recs} in {@code buf}. */
  Object decode(Decoder d, ByteBuffer buf, int[] recs, int nrecs, int base) throws Failure {
    return decode(compile(d), buf, recs, nrecs, base);
  }

  /** As {@link #decode(Decoder, ByteBuffer, int[], int, int)}, for a decoder compiled once. */
  Object decode(Node n, ByteBuffer buf, int[] recs, int nrecs, int base) throws Failure {
    event(buf, recs, nrecs);
    return decode(n, base);
  }

  /** Sets the event whose records the next {@link #decode(Node, int)} calls read. */
  void event(ByteBuffer buf, int[] recs, int nrecs) {
    if (this.buf != buf) this.buf = buf;
    if (this.recs != recs) this.recs = recs;
    this.nrecs = nrecs;
  }

  /** Decodes a value of the current event whose reads are its records {@code base..}. */
  Object decode(Node n, int base) throws Failure {
    this.base = base;
    return n.value(this);
  }

  /**
   * A {@link Decoder} turned once per tracepoint into a tree of nodes of a single class, so that
   * decoding a value is a jump on its kind rather than a chain of type tests per value and event.
   */
  static final class Node {
    private static final int I64 = 0,
        SIGNED = 1,
        UNSIGNED = 2,
        BOOL = 3,
        FLOAT = 4,
        POINTER = 5,
        ENUM = 6,
        TEXT = 7,
        CHARS = 8,
        INTERFACE = 9,
        ERROR = 10,
        STRUCT = 11,
        ARRAY = 12,
        CONSTANT = 13,
        FAILURE = 14,
        INDEXED = 15;
    final int kind;
    final int read;
    final int width; // integers, floats; the message read of an ERROR
    final boolean signed;
    // ENUM: long[] values; STRUCT: field names; CONSTANT: the value; FAILURE: the message;
    // INDEXED: the index (a Long)
    final Object extra;
    final String[] names; // ENUM: enumerator names
    final Node[] children; // STRUCT fields, ARRAY elements, the INDEXED element

    private Node(
        int kind,
        int read,
        int width,
        boolean signed,
        Object extra,
        String[] names,
        Node[] children) {
      this.kind = kind;
      this.read = read;
      this.width = width;
      this.signed = signed;
      this.extra = extra;
      this.names = names;
      this.children = children;
    }

    private static Node of(int kind, int read, int width) {
      return new Node(kind, read, width, false, null, null, null);
    }

    Object value(ValueDecoder v) throws Failure {
      switch (kind) {
        case I64:
          return v.int64(read);
        case SIGNED:
          return v.signed(v.data(read), width, v.len(read));
        case UNSIGNED:
          return v.unsigned(v.data(read), width, v.len(read));
        case BOOL:
          return v.buf.get(v.data(read)) != 0;
        case FLOAT:
          return v.floating(read, width);
        case POINTER:
          {
            long w = v.word(read);
            return w == 0 ? null : "0x" + Long.toHexString(w);
          }
        case ENUM:
          return v.enumeration(this);
        case TEXT:
          return v.text(read);
        case CHARS:
          return v.charArray(read);
        case INTERFACE:
          return v.goInterface(read);
        case ERROR:
          return v.goError(read, width);
        case STRUCT:
          {
            String[] fields = (String[]) extra;
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < fields.length; i++) m.put(fields[i], children[i].value(v));
            return Collections.unmodifiableMap(m);
          }
        case ARRAY:
          {
            List<Object> l = new ArrayList<>(children.length);
            for (Node e : children) l.add(e.value(v));
            return Collections.unmodifiableList(l);
          }
        case CONSTANT:
          return extra;
        case INDEXED:
          {
            long index = (Long) extra;
            long len = v.length(read);
            if (index >= len)
              throw new Failure("index " + index + " out of range (len " + len + ")");
            return children[0].value(v);
          }
        default:
          throw new Failure((String) extra);
      }
    }
  }

  static Node compile(Decoder d) {
    if (d instanceof Decoder.SignedInt s)
      return Node.of(s.width() == 8 ? Node.I64 : Node.SIGNED, s.read(), s.width());
    if (d instanceof Decoder.UnsignedInt u) return Node.of(Node.UNSIGNED, u.read(), u.width());
    if (d instanceof Decoder.Bool b) return Node.of(Node.BOOL, b.read(), 1);
    if (d instanceof Decoder.Float f) return Node.of(Node.FLOAT, f.read(), f.width());
    if (d instanceof Decoder.Pointer p) return Node.of(Node.POINTER, p.read(), 8);
    if (d instanceof Decoder.Enum e) {
      return new Node(
          Node.ENUM,
          e.read(),
          e.width(),
          e.signed(),
          e.values().stream().mapToLong(Long::longValue).toArray(),
          e.names().toArray(String[]::new),
          null);
    }
    if (d instanceof Decoder.Text t) return Node.of(Node.TEXT, t.read(), 0);
    if (d instanceof Decoder.CharArray c) return Node.of(Node.CHARS, c.read(), 0);
    if (d instanceof Decoder.GoInterface g) return Node.of(Node.INTERFACE, g.read(), 16);
    if (d instanceof Decoder.GoError e) return Node.of(Node.ERROR, e.read(), e.message());
    if (d instanceof Decoder.Struct s) {
      return new Node(
          Node.STRUCT,
          0,
          0,
          false,
          s.names().toArray(String[]::new),
          null,
          s.fields().stream().map(ValueDecoder::compile).toArray(Node[]::new));
    }
    if (d instanceof Decoder.Array a) {
      return new Node(
          Node.ARRAY,
          0,
          0,
          false,
          null,
          null,
          a.elements().stream().map(ValueDecoder::compile).toArray(Node[]::new));
    }
    if (d instanceof Decoder.Indexed x) {
      return new Node(
          Node.INDEXED, x.length(), 8, true, x.index(), null, new Node[] {compile(x.element())});
    }
    if (d instanceof Decoder.Redacted)
      return new Node(Node.CONSTANT, 0, 0, false, Decoder.Redacted.MARKER, null, null);
    if (d instanceof Decoder.Elided e)
      return new Node(Node.CONSTANT, 0, 0, false, "<" + e.why() + ">", null, null);
    String why = d instanceof Decoder.Unavailable u ? u.why() : "unknown decoder " + d;
    return new Node(Node.FAILURE, 0, 0, false, why, null, null);
  }

  private Object int64(int read) throws Failure {
    int at = rec(read);
    int n = buf.getInt(at + Layout.REC_LEN);
    if (n < 8) throw new Failure("integer of 8 bytes but only " + n + " read");
    return buf.getLong(at + Layout.REC_HEADER);
  }

  /**
   * The 8-byte signed length word of a slice or string header, which an index is checked against.
   */
  private long length(int read) throws Failure {
    int at = rec(read);
    int n = buf.getInt(at + Layout.REC_LEN);
    if (n < 8) throw new Failure("length of 8 bytes but only " + n + " read");
    return buf.getLong(at + Layout.REC_HEADER);
  }

  private Object enumeration(Node e) throws Failure {
    int at = data(e.read);
    Object n = e.signed ? signed(at, e.width, len(e.read)) : unsigned(at, e.width, len(e.read));
    long x = ((Number) n).longValue();
    long[] values = (long[]) e.extra;
    for (int i = 0; i < values.length; i++) if (values[i] == x) return e.names[i];
    return n;
  }

  private int rec(int read) throws Failure {
    int i = base + read;
    if (read < 0 || i >= nrecs) throw new Failure("read " + read + " missing from the event");
    int at = recs[i];
    int err = buf.getInt(at + Layout.REC_ERR);
    if (err != 0)
      throw new Failure(
          readError(err, buf.getShort(at + Layout.REC_STAGE), buf.getLong(at + Layout.REC_ADDR)));
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
      case 8:
        return buf.getLong(at);
      case 4:
        return buf.getInt(at) & 0xffff_ffffL;
      case 2:
        return buf.getShort(at) & 0xffffL;
      case 1:
        return buf.get(at) & 0xffL;
      default:
        break;
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
    if (available < width)
      throw new Failure("integer of " + width + " bytes but only " + available + " read");
  }

  private String text(int read) throws Failure {
    int at = rec(read);
    int n = buf.getInt(at + Layout.REC_LEN);
    String s = string(at + Layout.REC_HEADER, n);
    if ((buf.getShort(at + Layout.REC_FLAGS) & Layout.RF_TRUNCATED) == 0) return s;
    long full = Integer.toUnsignedLong(buf.getInt(at + Layout.REC_FULL_LEN));
    return full > n ? s + "…(" + full + " bytes)" : s + "…";
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /**
   * The UTF-8 text of {@code n} bytes at {@code at}. The bytes are copied a word at a time (a
   * record's data is padded to 8 bytes) while checking for non-ASCII bytes; ASCII text, the common
   * case, then becomes a Latin-1 string with no further decoding.
   */
  @SuppressWarnings("deprecation")
  private String string(int at, int n) throws Failure {
    if (n < 0 || n > RecipeLimits.MAX_VALUE_BYTES)
      throw new Failure("text of " + n + " bytes in the event");
    long high = 0;
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      long w = buf.getLong(at + i);
      high |= w;
      LONGS.set(scratch, i, w);
    }
    if (i < n) {
      long w = buf.getLong(at + i) & (-1L >>> (64 - 8 * (n - i)));
      high |= w;
      LONGS.set(scratch, i, w);
    }
    if ((high & 0x8080_8080_8080_8080L) == 0)
      return new String(scratch, 0, 0, n); // ASCII: Latin-1 = UTF-8
    return new String(scratch, 0, n, StandardCharsets.UTF_8);
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
  private static final Set<String> MESSAGE_FIRST =
      Set.of("*errors.errorString", "*fmt.wrapError", "*fmt.wrapErrors");

  private Object goError(int read, int message) throws Failure {
    Object type = goInterface(read);
    if (type == null || !MESSAGE_FIRST.contains(type)) return type;
    try {
      return text(message);
    } catch (Failure unreadable) {
      return type;
    }
  }

  private Object goInterface(int read) throws Failure {
    long typeWord = word(read);
    if (typeWord == 0) return null;
    int slot = (int) ((typeWord * 0x9E3779B97F4A7C15L) >>> 56) & (TYPE_CACHE - 1);
    if (typeWords[slot] == typeWord) return typeNames[slot];
    String sym = symbolizer == null ? null : symbolizer.apply(typeWord);
    String name =
        sym == null ? "non-nil (type word 0x" + Long.toHexString(typeWord) + ")" : goTypeName(sym);
    typeWords[slot] = typeWord;
    typeNames[slot] = name;
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
    String what =
        switch (stage) {
          case Layout.ST_ROOT -> "reading the value's stack slot";
          case Layout.ST_FINAL -> "reading the value";
          case Layout.ST_STRING -> "reading the string's bytes";
          default ->
              stage >= Layout.ST_DEREF && stage < Layout.ST_FINAL
                  ? "following pointer " + (stage - Layout.ST_DEREF + 1)
                  : "stage " + stage;
        };
    String where =
        "address 0x"
            + Long.toHexString(addr)
            + (Long.compareUnsigned(addr, 4096) < 0 ? " (nil pointer)" : "");
    String why = -err == 14 ? "unreadable memory" : "error " + (-err);
    return why + " at " + where + " while " + what;
  }
}
