package dev.dynlog.dwarf;

import dev.dynlog.elf.DebugFileLocator;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.testing.CppVariant;
import dev.dynlog.testing.ElfVariant;
import dev.dynlog.testing.TargetBinary;
import dev.dynlog.testing.Targets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A C++ build to check: the file dynlog opens, the file holding its DWARF (what llvm-dwarfdump
 * reads), and the debug-file locator to use.
 *
 * @param id display name
 * @param binary the executable or shared object to open
 * @param dwarfFile the file with the DWARF (the binary itself, or its separate debug file)
 * @param locator where separate debug files are looked for
 */
record CppSubject(String id, Path binary, Path dwarfFile, DebugFileLocator locator) {

  /** An empty debug root, so that tests never pick up files from the machine's /usr/lib/debug. */
  private static final DebugFileLocator NO_SYSTEM_ROOT =
      new DebugFileLocator(List.of(Path.of("/nonexistent-debug-root")));

  DwarfBinary open() throws ResolveException {
    return DwarfBinary.open(binary, locator);
  }

  @Override
  public String toString() {
    return id;
  }

  /** g++ and clang++ at -O0 and -O2, and each ELF/DWARF encoding variant of the C++ target. */
  static List<CppSubject> all() {
    List<CppSubject> out = new ArrayList<>();
    for (CppVariant v : Targets.cppVariants()) {
      Path b = Targets.build(v);
      out.add(new CppSubject(v.toString(), b, b, NO_SYSTEM_ROOT));
    }
    for (ElfVariant v : Targets.elfVariants()) {
      if (v == ElfVariant.GO_UNCOMPRESSED_DWARF) continue;
      out.add(of(v));
    }
    return out;
  }

  static CppSubject of(ElfVariant v) {
    TargetBinary t = Targets.build(v);
    String id = v.name();
    return switch (v) {
      case CPP_BUILD_ID_DEBUG_FILE ->
          new CppSubject(
              id,
              t.binary(),
              t.debugFile().orElseThrow(),
              new DebugFileLocator(List.of(t.debugRoot().orElseThrow())));
      case CPP_DEBUGLINK ->
          new CppSubject(id, t.binary(), t.debugFile().orElseThrow(), NO_SYSTEM_ROOT);
      case CPP_SHARED_OBJECT ->
          new CppSubject(id, t.library().orElseThrow(), t.library().orElseThrow(), NO_SYSTEM_ROOT);
      default -> new CppSubject(id, t.binary(), t.binary(), NO_SYSTEM_ROOT);
    };
  }
}
