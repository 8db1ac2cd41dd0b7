package dev.dynlog.symbols;

import dev.dynlog.types.Type;
import java.io.Closeable;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An executable or shared object with its debug information: the resolver's view of a binary.
 * Implemented by the ELF + DWARF reader ({@code dev.dynlog.dwarf.DwarfBinary}). Lookups are lazy
 * and indexed: finding one function must not parse every DIE of the binary.
 */
public interface Binary extends Closeable {

  /** Path the binary was opened from. */
  String path();

  /** GNU build-id as lower-case hex, or null. */
  String buildId();

  /** Qualified names of all functions with code, sorted, optionally filtered (null = all). */
  List<String> functionNames(Pattern filter);

  /**
   * All functions with this qualified name (several for C++ overloads). For C++ a name may carry a
   * parameter list to pick one overload, e.g. {@code ns::f(int, const char *)}.
   *
   * @throws ResolveException when none exists; its message lists the closest existing names
   */
  List<Function> lookup(String name) throws ResolveException;

  /** A named type (e.g. {@code runtime.g}), if the debug information has it. */
  Optional<Type> type(String name);

  /** Converts a virtual address to the file offset uprobes attach at. */
  long fileOffset(long vaddr) throws ResolveException;

  /** Reads {@code len} bytes of the loaded image at a virtual address (code of a function). */
  byte[] read(long vaddr, int len) throws ResolveException;

  /** ELF symbol containing an address, as "name+0xoff", or null (used to name Go itabs). */
  String symbolize(long vaddr);
}
