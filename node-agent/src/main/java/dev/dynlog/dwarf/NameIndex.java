package dev.dynlog.dwarf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Names found by one scan of all DIEs ({@link IndexScanner}): functions with code, named types, and
 * the names of abstract/declaration subprograms that concrete DIEs refer to. Only offsets and names
 * are kept; DIEs are decoded again on demand.
 */
final class NameIndex {
  /** Qualified function name → DIE offsets of subprograms with code. */
  final Map<String, long[]> functions = new HashMap<>();

  /** Qualified type name → DIE offset of the first complete definition. */
  final Map<String, Long> types = new HashMap<>();

  /**
   * Qualified type name → DIE offset of the first declaration-only DIE (used when no definition
   * exists).
   */
  final Map<String, Long> typeDeclarations = new HashMap<>();

  /** Qualified names of named types nested in C++ namespaces or classes, by DIE offset. */
  final Map<Long, String> scopedTypeNames = new HashMap<>();

  /** Names of subprograms without code (abstract instances, declarations), by DIE offset. */
  final Map<Long, String> abstractNames = new HashMap<>();

  /** Abstract instances with DW_AT_inline inlined or declared_inlined. */
  final LongSet inlined = new LongSet();

  /** Units that could not be scanned, with the reason. */
  final List<String> skippedUnits = new ArrayList<>();

  private String[] sortedNames;

  void addFunction(String name, long offset) {
    long[] old = functions.get(name);
    if (old == null) {
      functions.put(name, new long[] {offset});
    } else {
      long[] n = Arrays.copyOf(old, old.length + 1);
      n[old.length] = offset;
      functions.put(name, n);
    }
  }

  void addType(String name, long offset, boolean declaration) {
    if (declaration) typeDeclarations.putIfAbsent(name, offset);
    else types.putIfAbsent(name, offset);
  }

  /** All function names, sorted. */
  String[] sortedNames() {
    if (sortedNames == null) {
      sortedNames = functions.keySet().toArray(new String[0]);
      Arrays.sort(sortedNames);
    }
    return sortedNames;
  }
}
