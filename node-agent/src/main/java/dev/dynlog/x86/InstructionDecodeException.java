package dev.dynlog.x86;

import java.util.HexFormat;

/**
 * Machine code that cannot be decoded reliably: an opcode invalid in 64-bit mode, truncated code,
 * an instruction longer than 15 bytes, an unknown encoding, or a branch into the middle of a
 * decoded instruction (data mixed with code). The message names the address and the bytes.
 */
public class InstructionDecodeException extends RuntimeException {
  private final long address;
  private final byte[] bytes;

  InstructionDecodeException(long address, byte[] bytes, String reason) {
    super(
        String.format(
            "x86-64 code at 0x%x (bytes %s): %s",
            address, HexFormat.ofDelimiter(" ").formatHex(bytes), reason));
    this.address = address;
    this.bytes = bytes.clone();
  }

  /** Address (or offset) of the offending bytes. */
  public long address() {
    return address;
  }

  /** The bytes at {@link #address()} (up to 15), as far as the code extends. */
  public byte[] bytes() {
    return bytes.clone();
  }
}
