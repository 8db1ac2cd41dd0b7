package dev.dynlog.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of built targets outside the repository, keyed by a content hash of everything that
 * goes into a build (sources, toolchain, flags). Safe when several threads and JVMs build at once:
 * one builder per key holds a file lock, builds into a private temporary directory and publishes it
 * with an atomic rename, so readers only ever see complete entries. Publishing a build deletes
 * older builds of the same name (from older sources) that were not used for two days.
 *
 * <p>The root is {@code -Ddynlog.target.cache}, {@code $DYNLOG_TARGET_CACHE}, or {@code
 * /var/cache/dynlog/targets}.
 */
final class BuildCache {
  /** Builds an entry's files into an empty directory. */
  interface Recipe {
    void build(Path dir) throws IOException;
  }

  private static final ConcurrentHashMap<String, Object> JVM_LOCKS = new ConcurrentHashMap<>();

  /** Older builds of the same name unused for this long are deleted when a new one is published. */
  private static final Duration STALE = Duration.ofDays(2);

  private BuildCache() {}

  /**
   * The cache's root directory, created when missing: the system property {@code
   * dynlog.target.cache}, else {@code $DYNLOG_TARGET_CACHE}, else {@code
   * /var/cache/dynlog/targets}.
   */
  static Path root() {
    String configured =
        System.getProperty("dynlog.target.cache", System.getenv("DYNLOG_TARGET_CACHE"));
    Path root =
        Path.of(
            configured != null && !configured.isBlank() ? configured : "/var/cache/dynlog/targets");
    try {
      Files.createDirectories(root.resolve(".locks"));
    } catch (IOException e) {
      throw new BuildException(
          "cannot create the target cache "
              + root
              + " (set DYNLOG_TARGET_CACHE to a writable"
              + " directory): "
              + e,
          e);
    }
    return root;
  }

  /**
   * Returns the directory of the entry {@code name} for {@code key}, building it with {@code
   * recipe} when it is not cached yet.
   */
  static Path get(String name, String key, Recipe recipe) {
    Require.notQuick("a target built by a compiler (" + name + ")", "toolchain or bpf");
    Path root = root();
    String entry = name + "-" + key.substring(0, 20);
    Path dir = root.resolve(entry);
    if (Files.isDirectory(dir)) {
      return touch(dir);
    }
    synchronized (JVM_LOCKS.computeIfAbsent(entry, k -> new Object())) {
      try (FileChannel ch =
              FileChannel.open(
                  root.resolve(".locks").resolve(entry + ".lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock ignored = ch.lock()) {
        if (Files.isDirectory(dir)) {
          return dir;
        }
        Path tmp = Files.createTempDirectory(root, ".tmp-" + entry + "-");
        try {
          recipe.build(tmp);
          try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
          } catch (AtomicMoveNotSupportedException
              | FileAlreadyExistsException
              | DirectoryNotEmptyException e) {
            if (!Files.isDirectory(dir)) {
              throw e;
            }
          }
          pruneStale(root, name, dir);
          return dir;
        } finally {
          deleteTree(tmp);
        }
      } catch (IOException e) {
        throw new BuildException("building " + entry + " in " + root + " failed: " + e, e);
      }
    }
  }

  /**
   * SHA-256 over the identity strings and the path and content of every file under the source
   * roots.
   */
  static String key(List<Path> sourceRoots, List<String> identity) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String s : identity) {
        md.update(s.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      for (Path rootDir : sourceRoots) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(rootDir)) {
          files =
              walk.filter(Files::isRegularFile)
                  .sorted(Comparator.comparing(Path::toString))
                  .toList();
        }
        for (Path f : files) {
          md.update(rootDir.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
          md.update((byte) 0);
          md.update(Files.readAllBytes(f));
          md.update((byte) 0);
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read target sources " + sourceRoots, e);
    }
  }

  /** Marks an entry as used now, so that pruning keeps it. */
  private static Path touch(Path dir) {
    try {
      Files.setLastModifiedTime(dir, FileTime.from(Instant.now()));
    } catch (IOException e) {
      // a read-only cache still serves its entries
    }
    return dir;
  }

  /**
   * Deletes other builds of {@code name} (older source versions) that nobody used for {@link
   * #STALE}, and temporary directories of builders that died that long ago.
   */
  private static void pruneStale(Path root, String name, Path keep) throws IOException {
    Instant cutoff = Instant.now().minus(STALE);
    try (Stream<Path> entries = Files.list(root)) {
      for (Path p : entries.toList()) {
        String n = p.getFileName().toString();
        boolean oldBuild = n.matches(Pattern.quote(name) + "-[0-9a-f]{20}");
        boolean deadBuilder = n.startsWith(".tmp-" + name + "-");
        if (!p.equals(keep)
            && (oldBuild || deadBuilder)
            && Files.isDirectory(p)
            && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
          deleteTree(p);
        }
      }
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
