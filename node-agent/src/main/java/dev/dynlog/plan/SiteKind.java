package dev.dynlog.plan;

import dev.dynlog.x86.Instruction;
import dev.dynlog.x86.InstructionDecodeException;
import dev.dynlog.x86.InstructionDecoder;
import dev.dynlog.x86.OpcodeMap;

/**
 * The kind of the instruction a uprobe replaces, which decides what a hit costs. On a hit the
 * kernel either emulates the instruction (x86 Linux emulates direct branches and {@code push reg},
 * recent kernels also NOPs, and may turn a 5-byte NOP into a cheaper call to a trampoline) or
 * copies it to a slot and single-steps it there, which takes a second trap: on a virtual machine
 * the difference is an order of magnitude. Which kinds a given kernel emulates is not assumed here:
 * the tracer measures the cost of each kind on the node ({@code trace.TrapCalibration}) and this
 * class only says which kind a probe site is.
 */
public enum SiteKind {
  /** {@code push reg} (50..57, with REX.B): frame pointer set-up of C and C++ functions. */
  PUSH,
  /** A one- or two-byte NOP ({@code 90}, {@code 66 90}) or a short {@code nopl} (0F 1F). */
  NOP,
  /** The 5-byte {@code nopl 0x0(%rax,%rax,1)} (0F 1F 44 00 00), the form uprobes can optimise. */
  NOP5,
  /** {@code endbr64} (F3 0F 1E FA): the first instruction of CET-enabled C and C++ functions. */
  ENDBR,
  /** A direct relative jump, conditional jump or call. */
  BRANCH,
  /** A near return ({@code C3}, {@code C2 iw}): Go and C++ return sites. */
  RET,
  /** Anything else (Go functions start with a stack check or a spill): single-stepped. */
  OTHER;

  /** Bytes to read at a site to classify it: one instruction at most. */
  public static final int MAX_BYTES = InstructionDecoder.MAX_LENGTH;

  /**
   * The kind of the instruction at {@code code[0]}; {@link #OTHER} when the bytes do not decode
   * (the conservative answer: single-stepping is the expensive case).
   */
  public static SiteKind of(byte[] code) {
    if (code.length == 0) return OTHER;
    Instruction i;
    try {
      i = InstructionDecoder.decode(code, 0, 0);
    } catch (InstructionDecodeException | IndexOutOfBoundsException e) {
      return OTHER;
    }
    int len = i.length();
    if (len == 4
        && (code[0] & 0xFF) == 0xF3
        && (code[1] & 0xFF) == 0x0F
        && (code[2] & 0xFF) == 0x1E
        && (code[3] & 0xFF) == 0xFA) {
      return ENDBR;
    }
    if (i.isReturn()) return RET;
    if (i.isDirectBranch()) return BRANCH;
    if (i.map() == OpcodeMap.ONE_BYTE) {
      int op = i.opcode();
      if (op >= 0x50 && op <= 0x57 && len <= 2) return PUSH;
      if (op == 0x90 && len <= 2 && (len == 1 || (code[0] & 0xFF) == 0x66)) return NOP;
    }
    if (i.map() == OpcodeMap.MAP_0F && i.opcode() == 0x1F) {
      boolean nop5 =
          len == 5
              && (code[0] & 0xFF) == 0x0F
              && (code[2] & 0xFF) == 0x44
              && code[3] == 0
              && code[4] == 0;
      return nop5 ? NOP5 : NOP;
    }
    return OTHER;
  }
}
