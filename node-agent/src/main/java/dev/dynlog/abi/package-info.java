/**
 * Calling conventions, replayed: where each argument and result of a function lives at its entry
 * and at its return. {@link dev.dynlog.abi.CallingConvention#of} picks {@link
 * dev.dynlog.abi.GoRegisterAbi} (Go ABIInternal, Go 1.17 and later: integer registers RAX, RBX,
 * RCX, RDI, RSI, R8-R11, values split field by field, the roll-back to the stack when a value does
 * not fit; with no registers, the same algorithm is ABI0) or {@link dev.dynlog.abi.SysVAbi} (System
 * V x86-64 for C and C++: eightbyte classification by {@code EightbyteClassifier}, hidden sret
 * pointer, invisible references for types that are not trivially copyable).
 *
 * <p>The result is a {@link dev.dynlog.abi.CallLayout}: one {@link dev.dynlog.abi.Location} per
 * argument and per result, made of {@link dev.dynlog.abi.Slot}s (the bytes of a value held by a
 * general purpose register, an XMM register, or the stack at {@code RSP + offset}), or indirect (a
 * slot holding the value's address), empty, or unavailable with the reason. {@link
 * dev.dynlog.abi.TypeLayout} gives sizes and alignments. XMM slots are real but cannot be read by a
 * uprobe ({@code pt_regs} has no XMM registers); the planner reports them as unavailable. Checked
 * against the compilers' own DWARF location lists at function entry, for every function of real Go
 * and C++ binaries ({@code GoDwarfLocationOracleTest}, {@code SysVDwarfLocationOracleTest}).
 *
 * <p>May use: {@code dev.dynlog.recipe}, {@code dev.dynlog.symbols}, {@code dev.dynlog.types}.
 */
package dev.dynlog.abi;
