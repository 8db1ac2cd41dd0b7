package dev.dynlog.abi;

import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.Language;
import dev.dynlog.symbols.ResolveException;

/** A calling convention: assigns each argument and result of a function to registers or stack. */
public interface CallingConvention {

  /** The convention's name, for people. */
  String name();

  /**
   * Lays out the arguments (at entry: RSP points at the return address) and results (at a return
   * probe) of {@code function}.
   *
   * @throws ResolveException when a type cannot be placed (unknown size, malformed type)
   */
  CallLayout layout(Function function) throws ResolveException;

  /** The convention the function was compiled with: Go ABIInternal or ABI0, or System V x86-64. */
  static CallingConvention of(Function function) {
    if (function.language() == Language.GO) {
      return function.goRegisterAbi() ? GoRegisterAbi.INTERNAL : GoRegisterAbi.ABI0;
    }
    return SysVAbi.INSTANCE;
  }
}
