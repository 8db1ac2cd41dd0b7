/**
 * DWARF 2–5 reading for dynlog, behind {@link dev.dynlog.dwarf.DwarfBinary} (the {@link
 * dev.dynlog.symbols.Binary} implementation).
 *
 * <p>How a lookup works: opening a binary parses only ELF headers. A Go function is first looked up
 * through its ELF symbol: the unit whose address ranges hold the symbol is scanned alone. Go types
 * (e.g. {@code runtime.g}) come from the "runtime" unit alone, where the Go linker writes every
 * type. Anything else (C/C++ names, friendly forms, overload lists, suggestions, listing) builds
 * the {@link dev.dynlog.dwarf.NameIndex} with one linear pass over all units ({@link
 * dev.dynlog.dwarf.IndexScanner}): abbreviation-driven, decoding only naming attributes of
 * subprogram, scope and type DIEs and skipping fixed-size attribute runs in one step; no DIE tree
 * is built. Functions ({@link dev.dynlog.dwarf.FunctionReader}) and types ({@link
 * dev.dynlog.dwarf.TypeResolver}, iterative, cached by offset) are decoded on demand.
 *
 * <p>Robustness: all reads are bounds-checked ({@link dev.dynlog.dwarf.ByteReader}), DIE nesting,
 * reference chains and DW_FORM_indirect are bounded, type graphs are resolved with a work queue
 * (cycles and long chains cannot overflow the stack), and a unit that cannot be read is skipped and
 * reported in "not found" messages. Malformed input surfaces as a {@link
 * dev.dynlog.symbols.ResolveException} naming the binary.
 *
 * <p>May use: {@code dev.dynlog.elf}, {@code dev.dynlog.symbols}, {@code dev.dynlog.types}.
 */
package dev.dynlog.dwarf;
