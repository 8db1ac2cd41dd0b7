/**
 * The language-neutral type model that the DWARF reader produces and the calling conventions and
 * the planner consume. {@link dev.dynlog.types.Type} describes one type as the debug information
 * does: its {@link dev.dynlog.types.Type.Kind} (C scalars, pointers and references, structs,
 * unions, arrays, enums, typedefs and qualifiers, and the Go shapes {@code GO_STRING}, {@code
 * GO_SLICE}, {@code GO_INTERFACE}, {@code GO_MAP}, {@code GO_CHAN}), name, size, target type,
 * element count, members ({@link dev.dynlog.types.Type.Member}, with bit-fields), enumerators and
 * the DWARF 5 calling convention of a class. A {@code Type} is mutable only while the reader builds
 * it (so that cyclic types can be represented) and is treated as immutable afterwards.
 *
 * <p>May use: no other dynlog package (the JDK only).
 */
package dev.dynlog.types;
