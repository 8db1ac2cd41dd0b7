package dev.dynlog.dwarf;

import dev.dynlog.elf.DebugFileLocator;
import dev.dynlog.elf.ElfFile;
import dev.dynlog.elf.ElfFormatException;
import dev.dynlog.elf.ElfSymbol;
import dev.dynlog.elf.SymbolTable;
import dev.dynlog.symbols.Binary;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.Language;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.types.Type;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A {@link Binary} read from an ELF file and its DWARF (in the file itself or in a separate debug
 * file found by build-id or {@code .gnu_debuglink}). Opening parses only the ELF headers; the name
 * index is built on the first lookup by one pass over the DIEs, and functions and types are decoded
 * on demand. Malformed input surfaces as a {@link ResolveException} naming the file.
 */
public final class DwarfBinary implements Binary {
  private static final int SUGGESTIONS = 8;

  /** A process's executable, {@code /proc/PID/exe}. */
  private static final Pattern PROC_EXE = Pattern.compile("/proc/\\d+/exe");

  private final Path path;

  /** The path in messages: {@code /proc/PID/exe} with the executable it links to. */
  private final String shown;

  private final ElfFile elf;
  private final ElfFile debugElf;
  private final List<String> debugSearch;
  private final DebugFileLocator locator;
  private DebugInfo info;
  private NameIndex index;
  private TypeResolver types;
  private FunctionReader functions;
  private SymbolTable symbols;

  /** Go types from the "runtime" unit alone, before (or instead of) the full index. */
  private TypeResolver goTypes;

  private NameIndex goTypesIndex;

  private DwarfBinary(
      Path path,
      String name,
      ElfFile elf,
      ElfFile debugElf,
      List<String> debugSearch,
      DebugFileLocator locator) {
    this.path = path;
    this.shown = name;
    this.elf = elf;
    this.debugElf = debugElf;
    this.debugSearch = debugSearch;
    this.locator = locator;
  }

  /** Opens a binary, looking for separate debug files under {@code /usr/lib/debug}. */
  public static DwarfBinary open(Path path) throws ResolveException {
    return open(path, DebugFileLocator.standard());
  }

  /** Opens a binary, looking for separate debug files with the given locator. */
  public static DwarfBinary open(Path path, DebugFileLocator locator) throws ResolveException {
    String problem = fileProblem(path);
    if (problem != null) throw new ResolveException(problem);
    String name = displayName(path);
    ElfFile elf;
    try {
      elf = ElfFile.open(path);
    } catch (IOException e) {
      throw new ResolveException(cannotRead(path, name, e), e);
    } catch (ElfFormatException e) {
      throw new ResolveException("cannot read " + name + " as ELF: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new ResolveException("cannot read " + name + " as ELF: " + reason(e), e);
    }
    List<String> search = new ArrayList<>();
    ElfFile debug = null;
    Optional<Path> found = Optional.empty();
    try {
      if (!elf.hasDwarf()) {
        found = locator.locate(elf, search);
        if (found.isPresent()) debug = ElfFile.open(found.get());
        else search.add(describeSearch(elf, locator));
      }
    } catch (IOException e) {
      throw new ResolveException(
          name
              + ": cannot read its separate debug file "
              + found.map(Path::toString).orElse("")
              + ": "
              + DebugFileLocator.describe(e),
          e);
    } catch (RuntimeException e) {
      throw new ResolveException(name + ": cannot read its separate debug file: " + reason(e), e);
    }
    return new DwarfBinary(path, name, elf, debug, search, locator);
  }

  /**
   * Why {@code path} cannot be opened as a binary before trying: it does not exist, is not a
   * regular file (a directory, a device...), or cannot be looked at; null when it is a regular
   * file.
   */
  public static String fileProblem(Path path) {
    if (Files.isRegularFile(path)) return null;
    try {
      if (!Files.exists(path)) {
        Files.readAttributes(path, BasicFileAttributes.class); // says why: missing, or denied
        return "no such file: " + path;
      }
      return path + " is not a regular file (it is " + kind(path) + ")";
    } catch (NoSuchFileException e) {
      return "no such file: " + path;
    } catch (AccessDeniedException e) {
      return permissionDenied(path, path.toString());
    } catch (IOException e) {
      return "cannot read " + path + ": " + DebugFileLocator.describe(e);
    }
  }

  /** What a file that is not a regular file is, for messages. */
  private static String kind(Path path) {
    if (Files.isDirectory(path)) return "a directory";
    try {
      int type = (Integer) Files.getAttribute(path, "unix:mode") & 0170000;
      switch (type) {
        case 0020000:
          return "a character device";
        case 0060000:
          return "a block device";
        case 0010000:
          return "a named pipe";
        case 0140000:
          return "a socket";
        default:
          break;
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // the kind stays unnamed
    }
    return "a special file";
  }

  /** The path for messages; {@code /proc/PID/exe} also names the executable it links to. */
  private static String displayName(Path path) {
    return DebugFileLocator.processExecutable(path)
        .map(e -> path + " (" + e + ")")
        .orElse(path.toString());
  }

  private static String cannotRead(Path path, String name, IOException e) {
    if (e instanceof NoSuchFileException) return "no such file: " + name;
    if (e instanceof AccessDeniedException) return permissionDenied(path, name);
    return "cannot read " + name + ": " + DebugFileLocator.describe(e);
  }

  /**
   * Permission denied: another process's executable needs ptrace access to it, any other file read
   * access.
   */
  private static String permissionDenied(Path path, String name) {
    return "permission denied reading "
        + name
        + (PROC_EXE.matcher(path.toString()).matches()
            ? " (run as root or grant CAP_SYS_PTRACE)"
            : " (run dynlog as a user who may read it)");
  }

  /** A runtime failure's own words; never its class name. */
  private static String reason(RuntimeException e) {
    return e.getMessage() == null || e.getMessage().isBlank() ? "malformed data" : e.getMessage();
  }

  private static String describeSearch(ElfFile elf, DebugFileLocator locator) {
    String id = elf.buildId();
    StringBuilder sb = new StringBuilder("looked for a separate debug file");
    if (id != null) sb.append(" by build-id ").append(id).append(" under ").append(locator.roots());
    var link = elf.debugLink();
    if (link != null)
      sb.append(", by .gnu_debuglink \"")
          .append(link.fileName())
          .append("\" in ")
          .append(locator.debugLinkCandidates(elf.path(), link.fileName()));
    if (id == null && link == null)
      sb.append(": the binary has neither a build-id nor a .gnu_debuglink");
    return sb.toString();
  }

  /**
   * What to do about a binary without DWARF: rebuild it with debug information (in the words of its
   * language's toolchain), or put its separate debug file where the search looks.
   */
  private static String advice(ElfFile elf, DebugFileLocator locator) {
    StringBuilder sb = new StringBuilder();
    if (isGo(elf)) {
      sb.append(
          "It is a Go binary built without DWARF: build it without -ldflags=-s or -w and do not"
              + " strip it (go build keeps DWARF by default)");
    } else {
      sb.append("Rebuild it with -g");
    }
    String id = elf.buildId();
    var link = elf.debugLink();
    List<String> places = new ArrayList<>();
    if (id != null && id.length() > 2 && !locator.roots().isEmpty()) {
      places.add(
          locator
              .roots()
              .get(0)
              .resolve(".build-id")
              .resolve(id.substring(0, 2))
              .resolve(id.substring(2) + ".debug")
              .toString());
    }
    if (link != null) {
      // beside the executable, in the words of its own processes for /proc/PID/exe
      places.add(
          DebugFileLocator.processExecutable(elf.path())
              .map(e -> Path.of(e).resolveSibling(link.fileName()).toString())
              .orElseGet(
                  () ->
                      locator.debugLinkCandidates(elf.path(), link.fileName()).get(0).toString()));
    }
    if (!places.isEmpty()) {
      sb.append(", or put its debug file (objcopy --only-keep-debug) at ")
          .append(String.join(" or ", places));
      if (id != null)
        sb.append("; debuginfod-find debuginfo ")
            .append(id)
            .append(" fetches it from a debuginfod server");
    }
    return sb.append('.').toString();
  }

  /** True for a binary written by the Go linker (its build-info, build-id note or pclntab). */
  private static boolean isGo(ElfFile elf) {
    return elf.section(".go.buildinfo") != null
        || elf.section(".note.go.buildid") != null
        || elf.section(".gopclntab") != null;
  }

  /** The ELF file holding the code. */
  public ElfFile elf() {
    return elf;
  }

  /** The separate debug file in use, if any. */
  public Optional<Path> debugFile() {
    return Optional.ofNullable(debugElf).map(ElfFile::path);
  }

  @Override
  public String path() {
    return path.toString();
  }

  @Override
  public String buildId() {
    try {
      return elf.buildId();
    } catch (ElfFormatException e) {
      return null;
    }
  }

  /** Opens the DWARF sections and reads the unit headers on first use. */
  private synchronized void ensureDebugInfo() throws ResolveException {
    if (info != null) return;
    ElfFile dwarfElf = debugElf != null ? debugElf : elf;
    if (!dwarfElf.hasDwarf()) {
      throw new ResolveException(
          shown
              + " has no DWARF debug information (.debug_info)"
              + (debugSearch.isEmpty() ? "" : "; " + String.join("; ", debugSearch))
              + ". "
              + (debugElf != null
                  ? "Its debug file " + debugElf.path() + " has none either: rebuild it with -g."
                  : advice(elf, locator)));
    }
    try {
      info = new DebugInfo(path.toString(), dwarfElf::sectionData);
    } catch (DwarfFormatException
        | ElfFormatException
        | IndexOutOfBoundsException
        | IllegalArgumentException e) {
      throw new ResolveException(shown + ": malformed debug information: " + e.getMessage(), e);
    }
  }

  /** Builds the name index (one pass over all DIEs) on first use. */
  private synchronized void ensureIndex() throws ResolveException {
    if (index != null) return;
    ensureDebugInfo();
    try {
      index = IndexScanner.build(info);
      types = new TypeResolver(info, index);
      functions = new FunctionReader(info, index, types, symbolTable());
    } catch (DwarfFormatException
        | ElfFormatException
        | IndexOutOfBoundsException
        | IllegalArgumentException e) {
      index = null;
      throw new ResolveException(shown + ": malformed debug information: " + e.getMessage(), e);
    }
  }

  /**
   * Finds a Go function without the full index: its ELF symbol gives its address, the unit whose
   * ranges hold that address is scanned alone. Go function names are unique and equal to their
   * symbol names; anything else (or any doubt) returns null and the caller uses the full index.
   */
  private List<Function> lookupBySymbol(String name) throws ResolveException {
    ElfSymbol sym;
    try {
      sym = symbolTable().byName(name);
    } catch (ElfFormatException e) {
      return null;
    }
    if (sym == null || sym.type() != ElfSymbol.STT_FUNC || sym.value() == 0) return null;
    ensureDebugInfo();
    try {
      for (Unit u : info.units()) {
        if (u.language() != Language.GO || u.isTypeUnit()) continue;
        if (info.unitRanges(u).stream().noneMatch(r -> r.contains(sym.value()))) continue;
        NameIndex partial = IndexScanner.buildUnit(info, u);
        long[] offsets = partial.functions.get(name);
        if (offsets == null || offsets.length != 1 || !partial.skippedUnits.isEmpty()) return null;
        FunctionReader reader =
            new FunctionReader(info, partial, new TypeResolver(info, partial), symbolTable());
        Function f = reader.read(name, offsets[0]);
        return f.lowPc() == sym.value() ? List.of(f) : null;
      }
      return null;
    } catch (DwarfFormatException
        | ElfFormatException
        | IndexOutOfBoundsException
        | IllegalArgumentException e) {
      return null; // the full index reports the problem with its context
    }
  }

  private synchronized SymbolTable symbolTable() {
    if (symbols == null) {
      SymbolTable own = elf.symbols();
      boolean hasFunctions = own.all().stream().anyMatch(s -> !s.dynamic());
      symbols = hasFunctions || debugElf == null ? own : debugElf.symbols();
    }
    return symbols;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException (wrapping the {@link ResolveException}) when the binary has no
   *     readable DWARF
   */
  @Override
  public synchronized List<String> functionNames(Pattern filter) {
    try {
      ensureIndex();
    } catch (ResolveException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    return Arrays.stream(index.sortedNames())
        .filter(n -> filter == null || filter.matcher(n).find())
        .toList();
  }

  @Override
  public synchronized List<Function> lookup(String name) throws ResolveException {
    if (info != null) info.resetBudget();
    NameMatcher.Query q = NameMatcher.Query.parse(name);
    if (index == null && q.parameterTypes() == null) {
      List<Function> fast = lookupBySymbol(q.name());
      if (fast != null) return fast;
    }
    ensureIndex();
    List<String> names =
        index.functions.containsKey(q.name())
            ? List.of(q.name())
            : NameMatcher.friendlyMatches(q.name(), index.sortedNames());
    if (names.isEmpty()) throw notFound(q.name());
    if (names.size() > 1 && !sameBaseName(names)) {
      throw new ResolveException(
          "function name `"
              + q.name()
              + "` is ambiguous in "
              + shown
              + "; it matches: "
              + String.join(", ", names));
    }
    List<Function> out = new ArrayList<>();
    try {
      for (String n : names) {
        for (long off : index.functions.get(n)) out.add(functions.read(n, off));
      }
    } catch (DwarfFormatException | IndexOutOfBoundsException e) {
      throw new ResolveException(
          shown + ": malformed debug information for `" + name + "`: " + e.getMessage(), e);
    }
    if (q.parameterTypes() == null) return List.copyOf(out);
    List<String> wanted = q.parameterTypes().stream().map(NameMatcher::normalizeType).toList();
    List<Function> picked = out.stream().filter(f -> parameterTypes(f).equals(wanted)).toList();
    if (picked.isEmpty()) {
      throw new ResolveException(
          "no overload of `"
              + q.name()
              + "` in "
              + shown
              + " takes ("
              + String.join(", ", q.parameterTypes())
              + "); candidates: "
              + out.stream()
                  .map(DwarfBinary::signature)
                  .distinct()
                  .collect(Collectors.joining("; ")));
    }
    return picked;
  }

  /**
   * True when the names differ only by generic/template arguments (instantiations of one function).
   */
  private static boolean sameBaseName(List<String> names) {
    String first = NameMatcher.withoutArguments(names.get(0));
    return names.stream().allMatch(n -> NameMatcher.withoutArguments(n).equals(first));
  }

  private static List<String> parameterTypes(Function f) {
    return f.parameters().stream()
        .filter(v -> !v.artificial() && !v.result())
        .map(v -> NameMatcher.normalizeType(v.type().displayName()))
        .toList();
  }

  /** A C-style signature for messages: {@code name(type, type)}. */
  static String signature(Function f) {
    return f.name()
        + "("
        + f.parameters().stream()
            .filter(v -> !v.artificial() && !v.result())
            .map(v -> v.type().displayName())
            .collect(Collectors.joining(", "))
        + ")";
  }

  private ResolveException notFound(String name) {
    StringBuilder sb =
        new StringBuilder("no function `").append(name).append("` in ").append(shown);
    boolean declared = false;
    for (var e : index.abstractNames.entrySet()) {
      if (!e.getValue().equals(name)) continue;
      if (index.inlined.contains(e.getKey())) {
        sb.append(": it exists only inlined into its callers (no out-of-line copy to probe)");
        return new ResolveException(sb.toString());
      }
      declared = true;
    }
    if (declared) {
      sb.append(
          ": it is declared but has no code here (defined in another object or shared library?)");
      return new ResolveException(sb.toString());
    }
    List<String> close = NameMatcher.closest(name, index.sortedNames(), SUGGESTIONS);
    if (!close.isEmpty()) sb.append("; closest names: ").append(String.join(", ", close));
    else sb.append(" (").append(index.functions.size()).append(" functions with code are known)");
    if (!index.skippedUnits.isEmpty()) {
      sb.append("; note: ")
          .append(index.skippedUnits.size())
          .append(" unit(s) could not be read, first: ")
          .append(index.skippedUnits.get(0));
    }
    return new ResolveException(sb.toString());
  }

  /**
   * Finds a Go type without the full index: the Go linker writes every type DIE into the unit named
   * "runtime", which is scanned alone (once). Returns null when that does not apply.
   */
  private Type goTypeFromRuntimeUnit(String name) throws ResolveException {
    ensureDebugInfo();
    try {
      if (goTypes == null) {
        for (Unit u : info.units()) {
          if (u.language() == Language.GO && "runtime".equals(u.name)) {
            NameIndex partial = IndexScanner.buildUnit(info, u);
            if (!partial.skippedUnits.isEmpty()) return null;
            goTypes = new TypeResolver(info, partial);
            goTypesIndex = partial;
            break;
          }
        }
        if (goTypes == null) return null;
      }
      Long off = goTypesIndex.types.get(name);
      return off == null ? null : goTypes.resolve(off);
    } catch (DwarfFormatException
        | ElfFormatException
        | IndexOutOfBoundsException
        | IllegalArgumentException e) {
      return null; // the full index reports the problem with its context
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException (wrapping the {@link ResolveException}) when the binary has no
   *     readable DWARF
   */
  @Override
  public synchronized Optional<Type> type(String name) {
    if (info != null) info.resetBudget();
    try {
      if (index == null) {
        Type fast = goTypeFromRuntimeUnit(name);
        if (fast != null) return Optional.of(fast);
      }
      ensureIndex();
      Long off = index.types.get(name);
      if (off == null) off = index.typeDeclarations.get(name);
      return off == null ? Optional.empty() : Optional.of(types.resolve(off));
    } catch (ResolveException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  @Override
  public long fileOffset(long vaddr) throws ResolveException {
    try {
      return elf.fileOffset(vaddr);
    } catch (ElfFormatException e) {
      throw new ResolveException(e.getMessage(), e);
    }
  }

  @Override
  public byte[] read(long vaddr, int len) throws ResolveException {
    try {
      return elf.read(vaddr, len);
    } catch (ElfFormatException e) {
      throw new ResolveException(e.getMessage(), e);
    }
  }

  @Override
  public synchronized String symbolize(long vaddr) {
    ElfSymbol s;
    try {
      s = symbolTable().containing(vaddr);
    } catch (ElfFormatException e) {
      return null;
    }
    if (s == null) return null;
    long off = vaddr - s.value();
    return off == 0 ? s.name() : s.name() + "+0x" + Long.toHexString(off);
  }

  @Override
  public void close() {
    elf.close();
    if (debugElf != null) debugElf.close();
  }
}
