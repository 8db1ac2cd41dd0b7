package dev.dynlog.x86;

/** The opcode map an x86-64 instruction's opcode byte belongs to. */
public enum OpcodeMap {
  /** The one-byte map (no escape). */
  ONE_BYTE,
  /** The two-byte map, escape {@code 0F}. */
  MAP_0F,
  /** The three-byte map, escape {@code 0F 38}. */
  MAP_0F38,
  /** The three-byte map, escape {@code 0F 3A}. */
  MAP_0F3A,
  /** AMD 3DNow!, {@code 0F 0F modrm imm8}; the opcode is the trailing imm8 byte. */
  MAP_3DNOW,
  /** A VEX-encoded instruction ({@code C4}/{@code C5}). */
  VEX,
  /** An EVEX-encoded instruction ({@code 62}). */
  EVEX,
  /** An AMD XOP-encoded instruction ({@code 8F} with map select 8 or more). */
  XOP
}
