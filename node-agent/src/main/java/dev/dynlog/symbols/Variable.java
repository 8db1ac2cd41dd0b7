package dev.dynlog.symbols;

import dev.dynlog.types.Type;

/**
 * A formal parameter or Go result of a function, as the DWARF describes it.
 *
 * @param name the declared name; Go unnamed results are named "~r0", "~r1"...; may be null in C
 * @param type its type (never null; {@link Type.Kind#UNKNOWN} when the DWARF lacks one)
 * @param result true for Go results (DW_AT_variable_parameter set)
 * @param artificial true for compiler-generated parameters such as C++ {@code this}
 */
public record Variable(String name, Type type, boolean result, boolean artificial) {}
