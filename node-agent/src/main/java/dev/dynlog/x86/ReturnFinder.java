package dev.dynlog.x86;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * Finds the near-return ({@code RET}) instructions of machine code by decoding it instruction by
 * instruction from its first byte, so a {@code C3} byte inside another instruction's displacement
 * or immediate is never mistaken for a return. Dynlog places a uprobe on each of them to observe a
 * Go function's results (uretprobes would corrupt Go's movable stacks).
 *
 * <p>Decoding from the first byte is exact for code without embedded data, which is what compilers
 * emit. Data hidden in code is detected, not guessed at: every direct branch whose target lies in
 * the decoded range must land on an instruction start (or just after some of its legacy prefixes),
 * otherwise the decoding went out of step and an {@link InstructionDecodeException} names both
 * addresses.
 *
 * <p>A function split into several ranges (for example a GCC {@code .cold} part) is searched by
 * calling this once per range; each range must start at an instruction boundary.
 */
public final class ReturnFinder {
  private ReturnFinder() {}

  /**
   * Addresses of the RET instructions ({@code C3}, {@code C2 iw}, with any prefixes such as {@code
   * F3}/{@code F2}) in {@code code}, decoded from its first byte.
   *
   * @param baseAddress virtual address of {@code code[0]}
   * @throws InstructionDecodeException if the bytes cannot be decoded or hold data
   */
  public static List<Long> rets(byte[] code, long baseAddress) {
    return rets(code, 0, code.length, baseAddress);
  }

  /**
   * Addresses of the RET instructions in {@code code[from, to)}, decoded from {@code from}.
   *
   * @param baseAddress virtual address of {@code code[0]}
   * @throws InstructionDecodeException if the bytes cannot be decoded or hold data
   */
  public static List<Long> rets(byte[] code, int from, int to, long baseAddress) {
    Objects.checkFromToIndex(from, to, code.length);
    List<Long> rets = new ArrayList<>();
    BitSet starts = new BitSet(to - from);
    List<Instruction> branches = new ArrayList<>();
    for (int offset = from; offset < to; ) {
      Instruction insn = InstructionDecoder.decode(code, offset, to, baseAddress);
      starts.set(offset - from);
      if (insn.isReturn()) {
        rets.add(insn.address());
      } else if (insn.isDirectBranch()) {
        branches.add(insn);
      }
      offset += insn.length();
    }
    long first = baseAddress + from;
    for (Instruction branch : branches) {
      long target = branch.branchTarget();
      if (target < first || target >= baseAddress + to || starts.get((int) (target - first))) {
        continue;
      }
      int offset = (int) (target - baseAddress);
      int inside = from + starts.previousSetBit(offset - from);
      if (!onlyLegacyPrefixes(code, inside, offset)) {
        throw new InstructionDecodeException(
            target,
            Arrays.copyOfRange(code, offset, Math.min(to, offset + InstructionDecoder.MAX_LENGTH)),
            String.format(
                "the branch at 0x%x targets this address, inside the instruction decoded"
                    + " at 0x%x; the code holds data, so its RETs cannot be found by decoding",
                branch.address(), baseAddress + inside));
      }
    }
    return rets;
  }

  /**
   * Whether {@code code[from, to)} holds only legacy prefixes: a branch may skip an instruction's
   * prefixes, as in glibc's {@code je 1f; lock; 1: cmpxchg}, and still run the same opcode.
   */
  private static boolean onlyLegacyPrefixes(byte[] code, int from, int to) {
    for (int i = from; i < to; i++) {
      switch (code[i] & 0xFF) {
        case 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3 -> {}
        default -> {
          return false;
        }
      }
    }
    return true;
  }
}
