package dev.dynlog.x86;

/**
 * One decoded x86-64 instruction: where it starts, how long it is and which opcode it carries.
 *
 * @param address virtual address (or offset, when decoded without a base address) of the first byte
 * @param length total length in bytes, prefixes and immediates included (1 to 15)
 * @param map the opcode map of {@link #opcode}
 * @param opcode the opcode byte within {@link #map} (for 3DNow! the trailing suffix byte)
 * @param vexMap for VEX/EVEX/XOP the map-select field (1 = 0F, 2 = 0F38, 3 = 0F3A, ...), else 0
 * @param branchTarget for a direct relative JMP, Jcc, LOOP/JrCXZ or CALL the address it goes to,
 *     else {@link #NO_TARGET}
 */
public record Instruction(
    long address, int length, OpcodeMap map, int opcode, int vexMap, long branchTarget) {
  /** {@link #branchTarget()} of an instruction that is not a direct relative branch. */
  public static final long NO_TARGET = -1;

  /** Whether this is a direct relative branch or call with a {@link #branchTarget()}. */
  public boolean isDirectBranch() {
    return branchTarget != NO_TARGET;
  }

  /**
   * Whether this is a near return: {@code C3} or {@code C2 iw}, with any prefixes ({@code F3 C3}
   * "repz ret", {@code F2 C3} "bnd ret", {@code 66 C3} ...). Far returns ({@code CA}/{@code CB})
   * are not included: compilers do not emit them for functions.
   */
  public boolean isReturn() {
    return map == OpcodeMap.ONE_BYTE && (opcode == 0xC3 || opcode == 0xC2);
  }

  /** The address just after this instruction. */
  public long end() {
    return address + length;
  }
}
