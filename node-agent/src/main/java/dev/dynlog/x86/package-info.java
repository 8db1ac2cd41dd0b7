/**
 * x86-64 machine code, as far as dynlog needs it: where instructions start and which of them are
 * {@code RET}s. A Go function's results are read by a uprobe on each of its RET instructions (a
 * uretprobe would corrupt Go's movable stacks), and a {@code 0xC3} byte can sit inside another
 * instruction, so the code is decoded instruction by instruction from the function's first byte.
 *
 * <p>Main types: {@link dev.dynlog.x86.InstructionDecoder} (length decoder: prefixes, REX, the
 * legacy opcode maps, VEX, EVEX, XOP, 3DNow!, ModRM/SIB/displacement, immediates; no operand
 * disassembly), {@link dev.dynlog.x86.Instruction} (address, length, opcode map and opcode, direct
 * branch target), {@link dev.dynlog.x86.ReturnFinder} (the RET addresses of one code range, with a
 * check that every direct branch lands on an instruction start, which detects data mixed into code)
 * and {@link dev.dynlog.x86.InstructionDecodeException} (names the address and the bytes).
 * Boundaries are checked against {@code objdump -d} on real binaries and random code.
 *
 * <p>May use: no other dynlog package (the JDK only).
 */
package dev.dynlog.x86;
