/**
 * The resolver's view of a binary, independent of how the debug information is read: the interface
 * {@link dev.dynlog.symbols.Binary} (look functions up by qualified source name, list them, find a
 * named type such as {@code runtime.g}, convert a virtual address to the file offset a uprobe
 * attaches at, read code bytes, name an address by its ELF symbol), and what a lookup returns:
 * {@link dev.dynlog.symbols.Function} (name, language, producer, entry address and code ranges,
 * parameters and Go results, C/C++ return type) with its {@link dev.dynlog.symbols.Variable}s and
 * {@link dev.dynlog.symbols.Language}. {@link dev.dynlog.symbols.ResolveException} is the
 * user-facing failure of any resolving step (binary, function, expression, type); its message is
 * meant to be shown as it is.
 *
 * <p>The implementation is {@code dwarf.DwarfBinary}; the calling conventions and the planner
 * depend only on this package, so they can be tested with hand-built functions.
 *
 * <p>May use: {@code dev.dynlog.types}.
 */
package dev.dynlog.symbols;
