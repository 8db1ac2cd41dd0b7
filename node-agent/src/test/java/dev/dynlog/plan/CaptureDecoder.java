package dev.dynlog.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dynlog.plan.GdbPlanOracle.ReadResult;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Test-side decoding of read results into JSON, following the {@link Decoder} contract. Values that
 * cannot be compared are marked: {@link #UNAVAILABLE}, {@link #ELIDED}, and read errors as {@code
 * {"$error": message}}.
 */
final class CaptureDecoder {

  static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final String UNAVAILABLE = "$unavailable";
  static final String ELIDED = "$elided";
  static final String ERROR = "$error";

  /** A non-nil interface whose value is not compared. */
  static final String NON_NIL = "non-nil";

  private CaptureDecoder() {}

  static JsonNode decode(Decoder d, List<ReadResult> reads) {
    if (d instanceof Decoder.Unavailable u) return F.objectNode().put(UNAVAILABLE, u.why());
    if (d instanceof Decoder.Elided e) return F.objectNode().put(ELIDED, e.why());
    if (d instanceof Decoder.Struct s) {
      ObjectNode o = F.objectNode();
      for (int i = 0; i < s.names().size(); i++)
        o.set(s.names().get(i), decode(s.fields().get(i), reads));
      return o;
    }
    if (d instanceof Decoder.Array a) {
      ArrayNode arr = F.arrayNode();
      for (Decoder e : a.elements()) arr.add(decode(e, reads));
      return arr;
    }
    if (d instanceof Decoder.Indexed x) {
      JsonNode len = decode(new Decoder.SignedInt(x.length(), 8), reads);
      if (len.has(ERROR)) return len;
      if (x.index() >= len.asLong())
        return F.objectNode().put(ERROR, outOfRange(x.index(), len.asLong()));
      return decode(x.element(), reads);
    }
    ReadResult r = reads.get(readIndex(d));
    if (r.error() != null) return F.objectNode().put(ERROR, r.error());
    byte[] b = r.bytes();
    if (d instanceof Decoder.SignedInt s)
      return F.numberNode(new BigInteger(reverse(b, s.width())));
    if (d instanceof Decoder.UnsignedInt u)
      return F.numberNode(new BigInteger(1, reverse(b, u.width())));
    if (d instanceof Decoder.Enum e) {
      byte[] be = reverse(b, e.width());
      return F.numberNode(e.signed() ? new BigInteger(be) : new BigInteger(1, be));
    }
    if (d instanceof Decoder.Bool) return F.booleanNode(b[0] != 0);
    if (d instanceof Decoder.Float f) {
      long bits = new BigInteger(1, reverse(b, f.width())).longValue();
      return F.numberNode(
          f.width() == 4
              ? (double) Float.intBitsToFloat((int) bits)
              : Double.longBitsToDouble(bits));
    }
    if (d instanceof Decoder.Pointer) {
      BigInteger v = new BigInteger(1, reverse(b, 8));
      return v.signum() == 0 ? F.nullNode() : F.textNode("0x" + v.toString(16));
    }
    if (d instanceof Decoder.Text) return F.textNode(new String(r.text(), StandardCharsets.UTF_8));
    if (d instanceof Decoder.CharArray) {
      int end = 0;
      while (end < b.length && b[end] != 0) end++;
      return F.textNode(new String(b, 0, end, StandardCharsets.UTF_8));
    }
    if (d instanceof Decoder.GoError g) {
      // the targets' errors come from errors.New and fmt.Errorf: their value starts with the
      // message
      if (new BigInteger(1, reverse(b, 8)).signum() == 0) return F.nullNode();
      // other error types (unknown here without the dynamic type) keep only their nil-ness
      ReadResult m = reads.get(g.message());
      return m.error() != null
          ? F.textNode(NON_NIL)
          : F.textNode(new String(m.text(), StandardCharsets.UTF_8));
    }
    if (d instanceof Decoder.GoInterface) {
      BigInteger type = new BigInteger(1, reverse(b, 8));
      return type.signum() == 0 ? F.nullNode() : F.textNode(NON_NIL);
    }
    throw new IllegalArgumentException("unknown decoder " + d);
  }

  /** The error an index past the end gives, as the tracer words it. */
  static String outOfRange(long index, long length) {
    return "index " + index + " out of range (len " + length + ")";
  }

  private static int readIndex(Decoder d) {
    if (d instanceof Decoder.SignedInt s) return s.read();
    if (d instanceof Decoder.UnsignedInt u) return u.read();
    if (d instanceof Decoder.Enum e) return e.read();
    if (d instanceof Decoder.Bool b) return b.read();
    if (d instanceof Decoder.Float f) return f.read();
    if (d instanceof Decoder.Pointer p) return p.read();
    if (d instanceof Decoder.Text t) return t.read();
    if (d instanceof Decoder.GoInterface g) return g.read();
    if (d instanceof Decoder.GoError g) return g.read();
    if (d instanceof Decoder.CharArray c) return c.read();
    throw new IllegalArgumentException("decoder without a read: " + d);
  }

  /** The first {@code width} little-endian bytes as a big-endian array. */
  private static byte[] reverse(byte[] le, int width) {
    byte[] be = new byte[width];
    for (int i = 0; i < width; i++) be[i] = le[width - 1 - i];
    return be;
  }
}
