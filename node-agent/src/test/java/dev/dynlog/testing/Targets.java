package dev.dynlog.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds dynlog's test target programs ({@code node-agent/src/test/targets/}) with the real
 * toolchains and returns the binaries, cached outside the repository by {@link BuildCache}; also
 * one-file C and C++ programs that tests hold as source text.
 *
 * <p>A missing toolchain throws {@link MissingToolException}; a failing build throws {@link
 * BuildException} with the compiler's output. Tests must let both fail the test.
 */
public final class Targets {
  /**
   * The pinned Go toolchains, oldest first, from {@code go-versions} in {@link #sourceDir()} (which
   * {@code scripts/install-deps.sh} reads too); {@code GOTOOLCHAIN} fetches the ones that are not
   * local.
   */
  public static final List<String> GO_VERSIONS;

  /**
   * The pinned Go toolchain marked {@code local} in {@code go-versions}: the one in /usr/local/go.
   */
  public static final String LOCAL_GO;

  /** Binary names inside a cache entry. */
  public static final String GO_BINARY = "gotarget";

  public static final String CPP_BINARY = "cpptarget";

  public static final String DEMO_BINARY = "demo";

  public static final String TRACE_BINARY = "tracetarget";

  private static final List<String> CPP_SOURCES = List.of("main.cpp", "shop.cpp", "truth.cpp");
  private static final List<String> CPP_LIBRARY_SOURCES = List.of("shop.cpp", "truth.cpp");
  private static final Duration GO_BUILD_TIMEOUT = Duration.ofMinutes(15);
  private static final Duration CPP_BUILD_TIMEOUT = Duration.ofMinutes(5);

  /** Bump when a recipe changes in a way the hashed inputs do not show. */
  private static final String RECIPE_VERSION = "recipe-1";

  private static final Map<String, String> TOOL_IDENTITY = new ConcurrentHashMap<>();
  private static final Pattern GO_VERSION = Pattern.compile("go1\\.(\\d+)\\.(\\d+)");

  static {
    GoVersions pinned = readGoVersions(sourceDir().resolve("go-versions"));
    GO_VERSIONS = pinned.all();
    LOCAL_GO = pinned.local();
  }

  /** The pinned Go versions, oldest first, and the local one among them. */
  private record GoVersions(List<String> all, String local) {}

  private Targets() {}

  /** Every Go variant: each pinned version, optimised and with {@code -N -l}. */
  public static List<GoVariant> goVariants() {
    List<GoVariant> all = new ArrayList<>();
    for (String v : GO_VERSIONS) {
      all.add(new GoVariant(v, true));
      all.add(new GoVariant(v, false));
    }
    return List.copyOf(all);
  }

  /** Every C++ variant: g++ and clang++ at -O0 and -O2. */
  public static List<CppVariant> cppVariants() {
    List<CppVariant> all = new ArrayList<>();
    for (Compiler c : Compiler.values()) {
      all.add(new CppVariant(c, "O0"));
      all.add(new CppVariant(c, "O2"));
    }
    return List.copyOf(all);
  }

  /** Every extra ELF/DWARF variant. */
  public static List<ElfVariant> elfVariants() {
    return List.of(ElfVariant.values());
  }

  /** The directory holding the target sources ({@code go/}, {@code cpp/}). */
  public static Path sourceDir() {
    Path cwd = Path.of(System.getProperty("user.dir"));
    for (Path candidate :
        List.of(
            cwd.resolve("src/test/targets"),
            cwd.resolve("node-agent/src/test/targets"),
            cwd.resolve("../node-agent/src/test/targets"))) {
      if (Files.isDirectory(candidate.resolve("go"))
          && Files.isDirectory(candidate.resolve("cpp"))) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new BuildException("cannot find the target sources (src/test/targets) from " + cwd);
  }

  /** The demo service's module, {@code examples/demo} at the repository root. */
  public static Path demoDir() {
    Path cwd = Path.of(System.getProperty("user.dir"));
    for (Path candidate : List.of(cwd.resolve("examples/demo"), cwd.resolve("../examples/demo"))) {
      if (Files.isRegularFile(candidate.resolve("go.mod"))) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new BuildException("cannot find the demo service (examples/demo) from " + cwd);
  }

  /** Builds (or finds cached) the Go target for {@code variant}. */
  public static Path build(GoVariant variant) {
    return buildGo(
        "go-" + variant.id(),
        sourceDir().resolve("go"),
        "./cmd/gotarget",
        GO_BINARY,
        variant.version(),
        variant.buildFlags());
  }

  /**
   * Builds (or finds cached) the tracer tests' small Go program ({@code go/cmd/tracetarget}) with
   * {@link #LOCAL_GO} and default flags (optimised, inlining on).
   */
  public static Path buildTraceTarget() {
    return buildGo(
        "tracetarget-" + LOCAL_GO,
        sourceDir().resolve("go"),
        "./cmd/tracetarget",
        TRACE_BINARY,
        LOCAL_GO,
        List.of());
  }

  /**
   * Builds (or finds cached) a one-file C program given as source text, {@code gcc NAME.c FLAGS -o
   * NAME}: nothing is implied (pass {@code -g} for debug info), and libraries such as {@code -lbpf}
   * link since they follow the source.
   */
  public static Path buildC(String name, String source, String... flags) {
    return buildSource(name, "c", source, Tools.find("gcc"), List.of(flags));
  }

  /** As {@link #buildC}, a one-file C++ program built with g++. */
  public static Path buildCpp(String name, String source, String... flags) {
    return buildSource(name, "cpp", source, Tools.find(Compiler.GXX.candidates()), List.of(flags));
  }

  /** Builds (or finds cached) the demo service with a pinned Go version and default flags. */
  public static Path buildDemo(String goVersion) {
    return buildGo("demo-" + goVersion, demoDir(), ".", DEMO_BINARY, goVersion, List.of());
  }

  /** Builds (or finds cached) the C++ target for {@code variant}. */
  public static Path build(CppVariant variant) {
    Path cxx = Tools.find(variant.compiler().candidates());
    List<String> flags = List.of("-std=c++17", "-g", "-" + variant.optLevel());
    List<String> identity = List.of(RECIPE_VERSION, "cpp", identity(cxx), String.join(" ", flags));
    Path dir =
        BuildCache.get(
            "cpp-" + variant.id(),
            key("cpp", identity),
            out -> compileCpp(cxx, flags, CPP_SOURCES, out.resolve(CPP_BINARY)));
    return dir.resolve(CPP_BINARY);
  }

  /** Builds (or finds cached) an extra ELF/DWARF variant. */
  public static TargetBinary build(ElfVariant variant) {
    if (variant == ElfVariant.GO_UNCOMPRESSED_DWARF) {
      String newest = GO_VERSIONS.get(GO_VERSIONS.size() - 1);
      return TargetBinary.of(
          buildGo(
              "go-" + newest + "-uncompressed-dwarf",
              sourceDir().resolve("go"),
              "./cmd/gotarget",
              GO_BINARY,
              newest,
              List.of("-ldflags=-compressdwarf=false")));
    }
    Path cxx = Tools.find(Compiler.GXX.candidates());
    Path objcopy = Tools.find("objcopy");
    List<String> base = List.of("-std=c++17", "-g", "-O2");
    List<String> identity =
        List.of(RECIPE_VERSION, "elf", variant.name(), identity(cxx), identity(objcopy));
    String entry = "elf-" + variant.name().toLowerCase().replace('_', '-');
    Path dir =
        BuildCache.get(
            entry, key("cpp", identity), out -> buildElf(variant, cxx, objcopy, base, out));
    Path binary = dir.resolve(CPP_BINARY);
    return switch (variant) {
      case CPP_BUILD_ID_DEBUG_FILE -> {
        Path root = dir.resolve("debugroot");
        yield new TargetBinary(
            binary, Optional.of(findDebugFile(root)), Optional.of(root), Optional.empty());
      }
      case CPP_DEBUGLINK ->
          new TargetBinary(
              binary,
              Optional.of(dir.resolve(CPP_BINARY + ".debug")),
              Optional.empty(),
              Optional.empty());
      case CPP_SHARED_OBJECT ->
          new TargetBinary(
              binary, Optional.empty(), Optional.empty(), Optional.of(dir.resolve("libshop.so")));
      default -> TargetBinary.of(binary);
    };
  }

  /**
   * Runs a built target to completion (at most {@code timeout}) and returns its parsed ground
   * truth.
   */
  public static TargetOutput run(Path binary, Duration timeout, String... args) {
    Require.notQuick("a running target program", "toolchain or bpf");
    return TargetProcess.start(binary, args).finish(timeout);
  }

  private static Path buildGo(
      String entry, Path src, String pkg, String name, String version, List<String> flags) {
    Path go = Tools.find("go");
    List<String> identity = new ArrayList<>(List.of(RECIPE_VERSION, "go", version, pkg));
    identity.addAll(flags);
    Path dir =
        BuildCache.get(
            entry,
            BuildCache.key(List.of(src), identity),
            out -> {
              Path binary = out.resolve(name);
              List<String> cmd =
                  new ArrayList<>(List.of(go.toString(), "build", "-o", binary.toString()));
              cmd.addAll(flags);
              cmd.add(pkg);
              Tools.run(
                  "building " + src + " with " + version,
                  cmd,
                  src,
                  Map.of(
                      "GOTOOLCHAIN",
                      version,
                      "GOFLAGS",
                      "-mod=mod -buildvcs=false",
                      "CGO_ENABLED",
                      "0"),
                  GO_BUILD_TIMEOUT);
              String reported =
                  Tools.run(
                      "checking the Go version of " + binary,
                      List.of(go.toString(), "version", binary.toString()),
                      src,
                      Map.of("GOTOOLCHAIN", "local"),
                      Duration.ofMinutes(1));
              if (!reported.contains(": " + version)) {
                throw new BuildException(
                    "GOTOOLCHAIN="
                        + version
                        + " built a binary of another version: "
                        + reported.trim());
              }
            });
    return dir.resolve(name);
  }

  private static Path buildSource(
      String name, String extension, String source, Path compiler, List<String> flags) {
    List<String> identity =
        List.of(RECIPE_VERSION, extension, identity(compiler), String.join(" ", flags), source);
    Path dir =
        BuildCache.get(
            "inline-" + name,
            BuildCache.key(List.of(), identity),
            out -> {
              Path file = out.resolve(name + "." + extension);
              Files.writeString(file, source);
              List<String> cmd =
                  new ArrayList<>(List.of(compiler.toString(), file.getFileName().toString()));
              cmd.addAll(flags);
              cmd.addAll(List.of("-o", name));
              Tools.run(
                  "building " + name + " with " + compiler.getFileName(),
                  cmd,
                  out,
                  Map.of(),
                  CPP_BUILD_TIMEOUT);
            });
    return dir.resolve(name);
  }

  /**
   * Reads {@code go-versions}: one version per line, oldest first, exactly one followed by {@code
   * local}; {@code #} starts a comment line.
   */
  private static GoVersions readGoVersions(Path file) {
    List<String> versions = new ArrayList<>();
    List<String> local = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new BuildException("cannot read the pinned Go versions " + file + ": " + e, e);
    }
    int[] previous = {-1, -1};
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\\s+");
      Matcher m = GO_VERSION.matcher(f[0]);
      if (!m.matches() || f.length > 2 || (f.length == 2 && !f[1].equals("local"))) {
        throw new BuildException(
            file + ":" + (i + 1) + ": expected \"go1.N.M\" or \"go1.N.M local\", not: " + line);
      }
      int[] v = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
      if (Arrays.compare(v, previous) <= 0) {
        throw new BuildException(
            file + ":" + (i + 1) + ": versions must be listed oldest first: " + line);
      }
      previous = v;
      versions.add(f[0]);
      if (f.length == 2) {
        local.add(f[0]);
      }
    }
    if (local.size() != 1) {
      throw new BuildException(file + ": exactly one version must be marked local, not " + local);
    }
    return new GoVersions(List.copyOf(versions), local.get(0));
  }

  private static void buildElf(
      ElfVariant variant, Path cxx, Path objcopy, List<String> base, Path out) throws IOException {
    Path binary = out.resolve(CPP_BINARY);
    switch (variant) {
      case CPP_DWARF4 -> compileCpp(cxx, plus(base, "-gdwarf-4"), CPP_SOURCES, binary);
      case CPP_COMPRESSED_ZLIB -> compileCpp(cxx, plus(base, "-gz=zlib"), CPP_SOURCES, binary);
      case CPP_ZDEBUG_GNU -> {
        Path full = out.resolve(CPP_BINARY + ".full");
        compileCpp(cxx, base, CPP_SOURCES, full);
        tool(
            objcopy, out, "--compress-debug-sections=zlib-gnu", full.toString(), binary.toString());
        Files.delete(full);
      }
      case CPP_BUILD_ID_DEBUG_FILE -> {
        Path full = out.resolve(CPP_BINARY + ".full");
        compileCpp(cxx, plus(base, "-Wl,--build-id=sha1"), CPP_SOURCES, full);
        String buildId = buildId(full);
        Path debug =
            out.resolve("debugroot/.build-id")
                .resolve(buildId.substring(0, 2))
                .resolve(buildId.substring(2) + ".debug");
        Files.createDirectories(debug.getParent());
        tool(objcopy, out, "--only-keep-debug", full.toString(), debug.toString());
        tool(objcopy, out, "--strip-all", full.toString(), binary.toString());
        Files.delete(full);
      }
      case CPP_DEBUGLINK -> {
        Path full = out.resolve(CPP_BINARY + ".full");
        compileCpp(cxx, plus(base, "-Wl,--build-id=none"), CPP_SOURCES, full);
        String debugName = CPP_BINARY + ".debug";
        tool(objcopy, out, "--only-keep-debug", full.toString(), debugName);
        tool(
            objcopy,
            out,
            "--strip-all",
            "--add-gnu-debuglink=" + debugName,
            full.toString(),
            binary.toString());
        Files.delete(full);
      }
      case CPP_SHARED_OBJECT -> {
        Path lib = out.resolve("libshop.so");
        compileCpp(cxx, plus(base, "-shared", "-fPIC"), CPP_LIBRARY_SOURCES, lib);
        compileCpp(
            cxx,
            plus(base, "main.cpp", "-L" + out, "-lshop", "-Wl,-rpath,$ORIGIN"),
            List.of(),
            binary);
      }
      case GO_UNCOMPRESSED_DWARF -> throw new IllegalArgumentException(variant + " is a Go build");
    }
  }

  private static void compileCpp(Path cxx, List<String> flags, List<String> sources, Path output) {
    List<String> cmd = new ArrayList<>();
    cmd.add(cxx.toString());
    cmd.addAll(flags);
    cmd.addAll(sources);
    cmd.add("-o");
    cmd.add(output.toString());
    Tools.run(
        "building the C++ target with " + cxx.getFileName(),
        cmd,
        sourceDir().resolve("cpp"),
        Map.of(),
        CPP_BUILD_TIMEOUT);
  }

  private static void tool(Path exe, Path dir, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(exe.toString());
    cmd.addAll(List.of(args));
    Tools.run(
        "post-processing the target with " + exe.getFileName(),
        cmd,
        dir,
        Map.of(),
        CPP_BUILD_TIMEOUT);
  }

  private static final Pattern BUILD_ID = Pattern.compile("Build ID: ([0-9a-f]{8,})");

  private static String buildId(Path binary) {
    String notes =
        Tools.run(
            "reading the build-id",
            List.of(Tools.find("readelf").toString(), "-n", binary.toString()),
            null,
            Map.of(),
            Duration.ofMinutes(1));
    Matcher m = BUILD_ID.matcher(notes);
    if (!m.find()) {
      throw new BuildException(binary + " has no GNU build-id note; readelf -n says:\n" + notes);
    }
    return m.group(1);
  }

  private static Path findDebugFile(Path debugRoot) {
    try (var walk = Files.walk(debugRoot)) {
      return walk.filter(p -> p.toString().endsWith(".debug"))
          .findFirst()
          .orElseThrow(() -> new BuildException("no .debug file under " + debugRoot));
    } catch (IOException e) {
      throw new BuildException("cannot list " + debugRoot + ": " + e, e);
    }
  }

  private static List<String> plus(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return all;
  }

  private static String key(String sources, List<String> identity) {
    return BuildCache.key(List.of(sourceDir().resolve(sources)), identity);
  }

  /**
   * The tool's path and the first line of its {@code --version}, so an upgraded tool gets new
   * builds.
   */
  private static String identity(Path tool) {
    return TOOL_IDENTITY.computeIfAbsent(
        tool.toString(),
        t ->
            t
                + " "
                + Tools.run(
                        "asking " + t + " its version",
                        List.of(t, "--version"),
                        null,
                        Map.of(),
                        Duration.ofMinutes(1))
                    .lines()
                    .findFirst()
                    .orElse(""));
  }
}
