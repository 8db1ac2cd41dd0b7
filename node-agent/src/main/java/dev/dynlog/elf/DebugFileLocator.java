package dev.dynlog.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Finds the separate debug file of a stripped binary, as GDB does: by build-id under {@code
 * ROOT/.build-id/xx/rest.debug}, then by {@code .gnu_debuglink} next to the binary, in its {@code
 * .debug/} subdirectory and under {@code ROOT/<binary's directory>} (the directory as given, then
 * the real one when a symbolic link led there). A build-id candidate must carry the same build-id;
 * a debuglink candidate must match the recorded CRC-32.
 *
 * <p>A running process's executable given as {@code /proc/PID/exe} lives, for this search, where
 * that link points: its directory is reached through {@code /proc/PID/root} (so that a process in a
 * container is served from its own file system), never {@code /proc/PID/} itself.
 */
public final class DebugFileLocator {

  /** The conventional debug root of Debian and most distributions. */
  public static final Path DEFAULT_ROOT = Path.of("/usr/lib/debug");

  private static final Pattern PROC_EXE = Pattern.compile("/proc/\\d+/exe");

  /** What the kernel appends to {@code /proc/PID/exe}'s target when the file was replaced. */
  private static final String DELETED = " (deleted)";

  private final List<Path> roots;

  public DebugFileLocator(List<Path> roots) {
    this.roots = List.copyOf(roots);
  }

  /** A locator searching only {@link #DEFAULT_ROOT}. */
  public static DebugFileLocator standard() {
    return new DebugFileLocator(List.of(DEFAULT_ROOT));
  }

  public List<Path> roots() {
    return roots;
  }

  /**
   * The separate debug file for a binary, if one is found and verified.
   *
   * @param rejected receives one line per candidate that existed but did not match (for error
   *     messages)
   */
  public Optional<Path> locate(ElfFile binary, List<String> rejected) {
    String buildId = binary.buildId();
    if (buildId != null && buildId.length() > 2) {
      for (Path root : roots) {
        Path p =
            root.resolve(".build-id")
                .resolve(buildId.substring(0, 2))
                .resolve(buildId.substring(2) + ".debug");
        if (Files.isRegularFile(p)) {
          String other = buildIdOf(p, rejected);
          if (buildId.equals(other)) return Optional.of(p);
          if (other != null) rejected.add(p + ": build-id " + other + " differs from " + buildId);
        }
      }
    }
    DebugLink link = binary.debugLink();
    if (link != null) {
      for (Path p : debugLinkCandidates(binary.path(), link.fileName())) {
        if (!Files.isRegularFile(p) || isSameFile(p, binary.path())) continue;
        Long crc = crc32(p, rejected);
        if (crc == null) continue;
        if (crc.intValue() == link.crc()) return Optional.of(p);
        rejected.add(
            p
                + ": CRC-32 0x"
                + Integer.toHexString(crc.intValue())
                + " differs from .gnu_debuglink's 0x"
                + Integer.toHexString(link.crc()));
      }
    }
    return Optional.empty();
  }

  /**
   * Where a {@code .gnu_debuglink} name is looked for, in order: beside the binary, in its {@code
   * .debug/} subdirectory, then under each root followed by the binary's directory. For {@code
   * /proc/PID/exe} the binary is the file that link names, reached through {@code /proc/PID/root}.
   */
  public List<Path> debugLinkCandidates(Path binary, String linkName) {
    Set<Path> out = new LinkedHashSet<>();
    List<Directory> dirs = directories(binary);
    for (Directory d : dirs) {
      out.add(d.reached().resolve(linkName));
      out.add(d.reached().resolve(".debug").resolve(linkName));
    }
    for (Path root : roots) {
      for (Directory d : dirs) {
        out.add(root.resolve(d.named().toString().substring(1)).resolve(linkName));
      }
    }
    return List.copyOf(out);
  }

  /**
   * A directory holding the binary: {@code reached} is how this process opens it, {@code named} is
   * its absolute path as the binary's own processes see it (the part appended to a debug root).
   */
  private record Directory(Path reached, Path named) {}

  private static List<Directory> directories(Path binary) {
    Optional<String> exe = processExecutable(binary);
    if (exe.isPresent()) {
      Path named = parent(Path.of(exe.get()));
      Path root = binary.toAbsolutePath().normalize().getParent().resolve("root");
      return List.of(new Directory(root.resolve(named.toString().substring(1)), named));
    }
    Path given = parent(binary.toAbsolutePath().normalize());
    List<Directory> out = new ArrayList<>();
    out.add(new Directory(given, given));
    try {
      Path real = parent(binary.toRealPath());
      if (!real.equals(given)) out.add(new Directory(real, real));
    } catch (IOException e) {
      // the binary cannot be resolved; its directory as given is all there is
    }
    return out;
  }

  private static Path parent(Path p) {
    return p.getParent() == null ? Path.of("/") : p.getParent();
  }

  /**
   * For {@code /proc/PID/exe}: the executable's path as that process sees it (the link's target,
   * without the kernel's "(deleted)" mark). Empty for any other path, or when the link cannot be
   * read.
   */
  public static Optional<String> processExecutable(Path binary) {
    Matcher m = PROC_EXE.matcher(binary.toAbsolutePath().normalize().toString());
    if (!m.matches()) return Optional.empty();
    try {
      String target = Files.readSymbolicLink(binary).toString();
      if (target.endsWith(DELETED))
        target = target.substring(0, target.length() - DELETED.length());
      return target.startsWith("/") ? Optional.of(target) : Optional.empty();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return Optional.empty();
    }
  }

  /**
   * What went wrong reading a file, in words for people ({@code no such file}, {@code permission
   * denied}, {@code is a directory}...), never an exception's class name.
   */
  public static String describe(IOException e) {
    if (e instanceof NoSuchFileException) return "no such file";
    if (e instanceof AccessDeniedException) return "permission denied";
    String reason = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
    if (reason == null || reason.isBlank()) return "read error";
    return reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
  }

  private static boolean isSameFile(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  private static String buildIdOf(Path p, List<String> rejected) {
    try (ElfFile f = ElfFile.open(p)) {
      return f.buildId();
    } catch (IOException e) {
      rejected.add(p + ": " + describe(e));
      return null;
    } catch (ElfFormatException e) {
      rejected.add(named(p, e.getMessage()));
      return null;
    }
  }

  /** A message that names {@code p} once. */
  private static String named(Path p, String message) {
    return message != null && message.startsWith(p.toString()) ? message : p + ": " + message;
  }

  /**
   * The CRC-32 (zlib polynomial, as .gnu_debuglink uses) of a whole ELF file, or null when it
   * cannot be read.
   */
  static Long crc32(Path p, List<String> rejected) {
    try (ElfFile f = ElfFile.open(p)) {
      CRC32 crc = new CRC32();
      ByteBuffer b = f.bytes();
      crc.update(b);
      return crc.getValue();
    } catch (IOException e) {
      rejected.add(p + ": " + describe(e));
      return null;
    } catch (ElfFormatException e) {
      rejected.add(named(p, e.getMessage()));
      return null;
    }
  }
}
