package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dynlog.bpf.Layout;
import dev.dynlog.plan.Decoder;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every decoder over read records laid out as the BPF program writes them (pure logic: the kernel
 * tests cover the records' origin).
 */
class ValueDecoderTest {
  /** Builds a run of read records. */
  static final class Records {
    final ByteBuffer buf = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    final List<Integer> at = new ArrayList<>();

    Records ok(byte[] data, int fullLen, boolean truncated) {
      at.add(buf.position());
      int p = buf.position();
      buf.putInt(p + Layout.REC_ERR, 0)
          .putShort(p + Layout.REC_STAGE, (short) Layout.ST_FINAL)
          .putShort(p + Layout.REC_FLAGS, (short) (truncated ? Layout.RF_TRUNCATED : 0))
          .putInt(p + Layout.REC_LEN, data.length)
          .putInt(p + Layout.REC_FULL_LEN, fullLen)
          .putLong(p + Layout.REC_ADDR, 0);
      buf.put(p + Layout.REC_HEADER, data);
      buf.position(p + Layout.REC_HEADER + ((data.length + 7) & ~7));
      return this;
    }

    Records ok(long v, int width) {
      byte[] b = new byte[width];
      for (int i = 0; i < width; i++) b[i] = (byte) (v >>> (8 * i));
      return ok(b, width, false);
    }

    Records failed(int err, int stage, long addr) {
      at.add(buf.position());
      int p = buf.position();
      buf.putInt(p + Layout.REC_ERR, err)
          .putShort(p + Layout.REC_STAGE, (short) stage)
          .putInt(p + Layout.REC_LEN, 0)
          .putLong(p + Layout.REC_ADDR, addr);
      buf.position(p + Layout.REC_HEADER);
      return this;
    }

    Object decode(Decoder d) throws ValueDecoder.Failure {
      return new ValueDecoder(
              a ->
                  a == 0x4d67b8
                      ? "go:itab.*main.E,error"
                      : a == 0x4e0000 ? "go:itab.*errors.errorString,error" : null)
          .decode(d, buf, at.stream().mapToInt(Integer::intValue).toArray(), at.size(), 0);
    }
  }

  @Test
  void integersOfEveryWidthSignedAndUnsigned() throws Exception {
    Records r =
        new Records()
            .ok(-5, 1)
            .ok(-300, 2)
            .ok(-70000, 4)
            .ok(Long.MIN_VALUE, 8)
            .ok(0xff, 1)
            .ok(-1L, 8);
    assertEquals(-5L, r.decode(new Decoder.SignedInt(0, 1)));
    assertEquals(-300L, r.decode(new Decoder.SignedInt(1, 2)));
    assertEquals(-70000L, r.decode(new Decoder.SignedInt(2, 4)));
    assertEquals(Long.MIN_VALUE, r.decode(new Decoder.SignedInt(3, 8)));
    assertEquals(255L, r.decode(new Decoder.UnsignedInt(4, 1)));
    assertEquals(new BigInteger("18446744073709551615"), r.decode(new Decoder.UnsignedInt(5, 8)));
    assertEquals(65536L - 300, r.decode(new Decoder.UnsignedInt(1, 2)), "-300 as uint16");
  }

  @Test
  void boolsPointersEnumsAndFloats() throws Exception {
    Records r =
        new Records()
            .ok(1, 1)
            .ok(0, 1)
            .ok(0, 8)
            .ok(0xc000012345L, 8)
            .ok(2, 4)
            .ok(7, 4)
            .ok(Float.floatToIntBits(1.5f), 4)
            .ok(Double.doubleToLongBits(-2.25), 8);
    assertEquals(true, r.decode(new Decoder.Bool(0)));
    assertEquals(false, r.decode(new Decoder.Bool(1)));
    assertNull(r.decode(new Decoder.Pointer(2)));
    assertEquals("0xc000012345", r.decode(new Decoder.Pointer(3)));
    Decoder.Enum color =
        new Decoder.Enum(4, 4, false, List.of("RED", "GREEN", "BLUE"), List.of(0L, 1L, 2L));
    assertEquals("BLUE", r.decode(color));
    assertEquals(7L, r.decode(new Decoder.Enum(5, 4, false, color.names(), color.values())));
    assertEquals(1.5, r.decode(new Decoder.Float(6, 4)));
    assertEquals(-2.25, r.decode(new Decoder.Float(7, 8)));
  }

  @Test
  void textWithTruncationMarked() throws Exception {
    Records r =
        new Records()
            .ok("héllo".getBytes(StandardCharsets.UTF_8), 6, false)
            .ok("abcd".getBytes(), 300, true)
            .ok("abcd".getBytes(), 4, true)
            .ok("ab\0cd".getBytes(), 5, false);
    assertEquals("héllo", r.decode(new Decoder.Text(0)));
    assertEquals("abcd…(300 bytes)", r.decode(new Decoder.Text(1)));
    assertEquals("abcd…", r.decode(new Decoder.Text(2)), "a C string's full length is unknown");
    assertEquals("ab", r.decode(new Decoder.CharArray(3)));
  }

  @Test
  void textOfEveryLengthAroundTheWordSizeIgnoresThePadding() throws Exception {
    for (int n = 0; n <= 40; n++) {
      for (String kind : List.of("ascii", "utf8 first", "utf8 last")) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append((char) ('a' + i % 26));
        if (n >= 2 && kind.equals("utf8 first")) sb.replace(0, 1, "é");
        if (n >= 2 && kind.equals("utf8 last")) sb.replace(sb.length() - 2, sb.length(), "é");
        byte[] text = sb.toString().getBytes(StandardCharsets.UTF_8);
        Records r = new Records().ok(text, text.length, false);
        // the BPF program may leave anything in a record's padding, high bytes included
        int data = r.at.get(0) + Layout.REC_HEADER;
        for (int p = text.length; p < ((text.length + 7) & ~7); p++)
          r.buf.put(data + p, (byte) 0xE9);
        assertEquals(
            sb.toString(), r.decode(new Decoder.Text(0)), kind + ", " + text.length + " bytes");
      }
    }
  }

  @Test
  void goInterfacesNilOrNamedByTheirDynamicType() throws Exception {
    byte[] nil = new byte[16];
    byte[] set =
        ByteBuffer.allocate(16)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putLong(0x4d67b8)
            .putLong(0xc000010000L)
            .array();
    byte[] unknown =
        ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0x1234).putLong(1).array();
    Records r = new Records().ok(nil, 16, false).ok(set, 16, false).ok(unknown, 16, false);
    assertNull(r.decode(new Decoder.GoInterface(0)));
    assertEquals("*main.E", r.decode(new Decoder.GoInterface(1)));
    assertEquals("non-nil (type word 0x1234)", r.decode(new Decoder.GoInterface(2)));
    assertEquals("*T", ValueDecoder.goTypeName("type:*T"));
    assertEquals(
        "*errors.errorString", ValueDecoder.goTypeName("go:itab.*errors.errorString,error+0x0"));
  }

  @Test
  void goErrorsShowTheMessageOfErrorsNewAndFmtErrorfElseTheirType() throws Exception {
    byte[] nil = new byte[16];
    byte[] errorString =
        ByteBuffer.allocate(16)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putLong(0x4e0000)
            .putLong(0xc000020000L)
            .array();
    byte[] other =
        ByteBuffer.allocate(16)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putLong(0x4d67b8)
            .putLong(0xc000010000L)
            .array();
    Records r =
        new Records()
            .ok(nil, 16, false)
            .failed(14, Layout.ST_FINAL, 0) // nil: the message read fails, unused
            .ok(errorString, 16, false)
            .ok("unknown user".getBytes(), 12, false)
            .ok(other, 16, false)
            .ok("garbage".getBytes(), 7, false)
            .ok(errorString, 16, false)
            .failed(14, Layout.ST_FINAL, 0xc000020000L);
    assertNull(r.decode(new Decoder.GoError(0, 1)));
    assertEquals("unknown user", r.decode(new Decoder.GoError(2, 3)));
    assertEquals(
        "*main.E",
        r.decode(new Decoder.GoError(4, 5)),
        "a type whose value is not its message: its name");
    assertEquals(
        "*errors.errorString",
        r.decode(new Decoder.GoError(6, 7)),
        "an unreadable message: the type's name");
  }

  @Test
  void structsArraysAndMarkers() throws Exception {
    Records r = new Records().ok(42, 8).ok("name".getBytes(), 4, false).ok(1, 2).ok(2, 2);
    Object v =
        r.decode(
            new Decoder.Struct(
                List.of("id", "name", "pair", "more"),
                List.of(
                    new Decoder.SignedInt(0, 8),
                    new Decoder.Text(1),
                    new Decoder.Array(
                        List.of(new Decoder.SignedInt(2, 2), new Decoder.SignedInt(3, 2))),
                    new Decoder.Elided("depth cap"))));
    assertEquals(
        Map.of("id", 42L, "name", "name", "pair", List.of(1L, 2L), "more", "<depth cap>"), v);
    assertEquals(
        "[id, name, pair, more]",
        ((Map<?, ?>) v).keySet().toString(),
        "fields in declaration order");
    ValueDecoder.Failure f =
        assertThrows(
            ValueDecoder.Failure.class, () -> r.decode(new Decoder.Unavailable("float in XMM0")));
    assertEquals("float in XMM0", f.getMessage());
  }

  @Test
  void anIndexPastTheLengthIsAnErrorNotTheNeighbouringValue() throws Exception {
    // xs = []int{1, 2, 3}: len(xs), then what lies at xs[1] and at xs[3] (past the end)
    Records r = new Records().ok(3, 8).ok(2, 8).ok(0x5eed, 8);
    assertEquals(2L, r.decode(new Decoder.Indexed(0, 1, new Decoder.SignedInt(1, 8))));
    assertEquals(
        "index 3 out of range (len 3)",
        assertThrows(
                ValueDecoder.Failure.class,
                () -> r.decode(new Decoder.Indexed(0, 3, new Decoder.SignedInt(2, 8))))
            .getMessage());
    assertEquals(
        "index 2 out of range (len 0)",
        assertThrows(
                ValueDecoder.Failure.class,
                () ->
                    new Records()
                        .ok(0, 8)
                        .failed(-14, Layout.ST_FINAL, 0x10)
                        .decode(new Decoder.Indexed(0, 2, new Decoder.UnsignedInt(1, 1))))
            .getMessage(),
        "a nil slice: the range error, not the element's unreadable memory");
    assertEquals(
        "index 0 out of range (len -1)",
        assertThrows(
                ValueDecoder.Failure.class,
                () ->
                    new Records()
                        .ok(-1, 8)
                        .ok(7, 8)
                        .decode(new Decoder.Indexed(0, 0, new Decoder.SignedInt(1, 8))))
            .getMessage(),
        "a length that is not one (a torn or garbage header) gives no element");
  }

  @Test
  void nestedIndexesCheckTheOuterLengthFirstAndStructsKeepTheirCheck() throws Exception {
    // ss[1][4]: len(ss) = 2, len(ss[1]) = 3 (read from past the end when ss is shorter)
    Records r = new Records().ok(2, 8).ok(3, 8).ok('x', 1);
    Decoder inner = new Decoder.Indexed(1, 4, new Decoder.UnsignedInt(2, 1));
    assertEquals(
        "index 4 out of range (len 3)",
        assertThrows(ValueDecoder.Failure.class, () -> r.decode(new Decoder.Indexed(0, 1, inner)))
            .getMessage());
    assertEquals(
        "index 2 out of range (len 2)",
        assertThrows(ValueDecoder.Failure.class, () -> r.decode(new Decoder.Indexed(0, 2, inner)))
            .getMessage());
    assertEquals(
        (long) 'x',
        r.decode(
            new Decoder.Indexed(0, 1, new Decoder.Indexed(1, 2, new Decoder.UnsignedInt(2, 1)))));
    Records users = new Records().ok(1, 8).ok(42, 8).ok("ann".getBytes(), 3, false);
    Decoder user =
        new Decoder.Struct(
            List.of("id", "name"), List.of(new Decoder.SignedInt(1, 8), new Decoder.Text(2)));
    assertEquals(Map.of("id", 42L, "name", "ann"), users.decode(new Decoder.Indexed(0, 0, user)));
    assertEquals(
        "index 1 out of range (len 1)",
        assertThrows(
                ValueDecoder.Failure.class, () -> users.decode(new Decoder.Indexed(0, 1, user)))
            .getMessage());
  }

  @Test
  void anUnreadableLengthIsTheLengthReadsError() {
    Records r = new Records().failed(-14, Layout.ST_FINAL, 0x18).ok(5, 8).ok(9, 4);
    assertEquals(
        "unreadable memory at address 0x18 (nil pointer) while reading the value",
        assertThrows(
                ValueDecoder.Failure.class,
                () -> r.decode(new Decoder.Indexed(0, 0, new Decoder.SignedInt(1, 8))))
            .getMessage());
    assertEquals(
        "length of 8 bytes but only 4 read",
        assertThrows(
                ValueDecoder.Failure.class,
                () -> r.decode(new Decoder.Indexed(2, 0, new Decoder.SignedInt(1, 8))))
            .getMessage());
  }

  @Test
  void unreadableMemoryGivesAPerValueMessage() {
    Records r =
        new Records()
            .failed(-14, Layout.ST_DEREF + 1, 0x8)
            .failed(-14, Layout.ST_STRING, 0x7f0000001000L)
            .failed(-14, Layout.ST_ROOT, 0x7ffd0000);
    assertEquals(
        "unreadable memory at address 0x8 (nil pointer) while following pointer 2",
        assertThrows(ValueDecoder.Failure.class, () -> r.decode(new Decoder.SignedInt(0, 8)))
            .getMessage());
    assertEquals(
        "unreadable memory at address 0x7f0000001000 while reading the string's bytes",
        assertThrows(ValueDecoder.Failure.class, () -> r.decode(new Decoder.Text(1))).getMessage());
    assertEquals(
        "unreadable memory at address 0x7ffd0000 while reading the value's stack slot",
        assertThrows(ValueDecoder.Failure.class, () -> r.decode(new Decoder.SignedInt(2, 8)))
            .getMessage());
    assertEquals(
        "read 5 missing from the event",
        assertThrows(ValueDecoder.Failure.class, () -> r.decode(new Decoder.SignedInt(5, 8)))
            .getMessage());
  }
}
