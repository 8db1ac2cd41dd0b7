package dev.dynlog.operator.query;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** The few DER encodings an X.509 certificate needs (ITU-T X.690), for {@link Certificates}. */
final class Der {

  static final int SEQUENCE = 0x30;
  static final int SET = 0x31;

  private Der() {}

  /** A tag-length-value with the given tag around the concatenated contents. */
  static byte[] tlv(int tag, byte[]... contents) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (byte[] c : contents) body.writeBytes(c);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = body.size();
    if (n < 0x80) {
      out.write(n);
    } else {
      byte[] len = BigInteger.valueOf(n).toByteArray();
      int skip = len[0] == 0 ? 1 : 0;
      out.write(0x80 | (len.length - skip));
      out.write(len, skip, len.length - skip);
    }
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  static byte[] sequence(byte[]... contents) {
    return tlv(SEQUENCE, contents);
  }

  static byte[] integer(BigInteger value) {
    return tlv(0x02, value.toByteArray());
  }

  /** An object identifier given in dotted form. */
  static byte[] oid(String dotted) {
    String[] parts = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
    for (int i = 2; i < parts.length; i++) {
      long v = Long.parseLong(parts[i]);
      int groups = 1;
      while ((v >> (7 * groups)) != 0) groups++;
      for (int g = groups - 1; g >= 0; g--) {
        out.write((int) ((v >> (7 * g)) & 0x7f) | (g == 0 ? 0 : 0x80));
      }
    }
    return tlv(0x06, out.toByteArray());
  }

  static byte[] nullValue() {
    return new byte[] {0x05, 0x00};
  }

  static byte[] utf8(String s) {
    return tlv(0x0c, s.getBytes(StandardCharsets.UTF_8));
  }

  /** A UTCTime, {@code yyMMddHHmmssZ}. */
  static byte[] utcTime(String yyMMddHHmmss) {
    return tlv(0x17, (yyMMddHHmmss + "Z").getBytes(StandardCharsets.US_ASCII));
  }

  static byte[] bitString(byte[] bytes) {
    byte[] withUnused = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, withUnused, 1, bytes.length);
    return tlv(0x03, withUnused);
  }

  static byte[] octetString(byte[] bytes) {
    return tlv(0x04, bytes);
  }

  static byte[] bool(boolean value) {
    return new byte[] {0x01, 0x01, (byte) (value ? 0xff : 0)};
  }
}
