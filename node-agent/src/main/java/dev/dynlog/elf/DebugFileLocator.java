package dev.dynlog.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Finds the separate debug file of a stripped binary, as GDB does: by build-id under {@code
 * ROOT/.build-id/xx/rest.debug}, then by {@code .gnu_debuglink} next to the binary, in its {@code
 * .debug/} subdirectory and under {@code ROOT/<binary's directory>}. A build-id candidate must
 * carry the same build-id; a debuglink candidate must match the recorded CRC-32.
 */
public final class DebugFileLocator {

  /** The conventional debug root of Debian and most distributions. */
  public static final Path DEFAULT_ROOT = Path.of("/usr/lib/debug");

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

  /** Where a {@code .gnu_debuglink} name is looked for, in order. */
  public List<Path> debugLinkCandidates(Path binary, String linkName) {
    Path abs = binary.toAbsolutePath().normalize();
    Path dir = abs.getParent() == null ? Path.of("/") : abs.getParent();
    List<Path> out = new ArrayList<>();
    out.add(dir.resolve(linkName));
    out.add(dir.resolve(".debug").resolve(linkName));
    for (Path root : roots) {
      out.add(root.resolve(dir.toString().substring(1)).resolve(linkName));
    }
    return out;
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
    } catch (IOException | ElfFormatException e) {
      rejected.add(p + ": " + e.getMessage());
      return null;
    }
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
    } catch (IOException | ElfFormatException e) {
      rejected.add(p + ": " + e.getMessage());
      return null;
    }
  }
}
