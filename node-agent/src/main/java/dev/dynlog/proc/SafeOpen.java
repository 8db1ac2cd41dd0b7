package dev.dynlog.proc;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a file of another mount namespace (a container's binary) through that namespace's root, as
 * the kernel would resolve it for a process there: {@code openat2(2)} with {@code RESOLVE_IN_ROOT},
 * so that {@code ..} and absolute symlinks inside the container stay inside it, and {@code
 * RESOLVE_NO_MAGICLINKS}, so that no {@code /proc/*}-style link leads out of it. The result is a
 * file descriptor of this process: {@link OpenFile#path()} names exactly that file (for reading it
 * and for attaching uprobes to it), whatever the container does to its paths afterwards.
 */
public final class SafeOpen {
  private SafeOpen() {}

  private static final long SYS_OPENAT2 = 437; // x86-64
  private static final int O_RDONLY = 0;
  private static final int O_DIRECTORY = 0x10000;
  private static final int O_CLOEXEC = 0x80000;
  private static final int O_PATH = 0x200000;
  private static final long RESOLVE_NO_MAGICLINKS = 0x02;
  private static final long RESOLVE_IN_ROOT = 0x10;
  private static final int OPEN_HOW_SIZE = 24;

  /** The C library calls used here. */
  interface C extends Library {
    C INSTANCE = Native.load("c", C.class);

    int open(String path, int flags);

    long syscall(long number, Object... args);

    int close(int fd);

    String strerror(int errnum);
  }

  /**
   * Opens {@code path} (absolute, as a process in that root sees it) for reading, resolved inside
   * {@code root} (e.g. {@code /proc/PID/root}).
   *
   * @throws IOException naming the root, the path and the reason (e.g. a symlink leading outside
   *     the root resolves inside it instead, and usually to nothing)
   */
  public static OpenFile open(Path root, String path) throws IOException {
    C c = C.INSTANCE;
    int dir = c.open(root.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) throw failure("cannot open the root " + root, Native.getLastError());
    try {
      Memory how = new Memory(OPEN_HOW_SIZE);
      how.clear();
      how.setLong(0, O_RDONLY | O_CLOEXEC);
      how.setLong(16, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
      long fd = c.syscall(SYS_OPENAT2, (long) dir, path, how, (long) OPEN_HOW_SIZE);
      if (fd < 0) throw failure("cannot open " + path + " inside " + root, Native.getLastError());
      return new OpenFile((int) fd, root, path);
    } finally {
      c.close(dir);
    }
  }

  private static IOException failure(String what, int errno) {
    return new IOException(what + ": " + C.INSTANCE.strerror(errno) + " (errno " + errno + ")");
  }

  /**
   * An open file descriptor of this process on a file of another root. {@link #path()} ({@code
   * /proc/self/fd/N}) resolves to exactly this file for as long as it is open.
   */
  public static final class OpenFile implements AutoCloseable {
    private final int fd;
    private final Path root;
    private final String path;
    private boolean closed;

    OpenFile(int fd, Path root, String path) {
      this.fd = fd;
      this.root = root;
      this.path = path;
    }

    /** {@code /proc/self/fd/N}: the opened file itself. */
    public Path path() {
      return Path.of("/proc/self/fd/" + fd);
    }

    /** The path as the process in the other root names it, for messages. */
    public String name() {
      return path;
    }

    /** The root it was opened in. */
    public Path root() {
      return root;
    }

    /** The device and inode of the file: the same for every container sharing an image layer. */
    public FileId id() throws IOException {
      Path p = path();
      return new FileId(
          (Long) Files.getAttribute(p, "unix:dev"), (Long) Files.getAttribute(p, "unix:ino"));
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        C.INSTANCE.close(fd);
      }
    }

    @Override
    public String toString() {
      return path + " in " + root;
    }
  }

  /** A file's identity on this host: device and inode. */
  public record FileId(long device, long inode) {}
}
