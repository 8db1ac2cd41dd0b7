package dev.dynlog.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.api.v1alpha1.ProbeSpec;
import dev.dynlog.api.v1alpha1.TracepointSpec;
import dev.dynlog.symbols.Binary;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.types.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resolving standalone tracepoints closes every binary it opened when it fails, and says why a
 * target cannot be traced before anything is opened: no such process, a kernel thread, a zombie, an
 * executable that is not a regular file.
 */
class ResolveTest {

  /** /proc/2/stat of kthreadd as Linux 6.18 writes it (flags 2129984 include PF_KTHREAD). */
  private static final String KTHREADD =
      "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 23 0 0 18446744073709551615 0 0 0"
          + " 0 0 0 0 2147483647 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

  /** A zombie whose command name holds a space and a parenthesis. */
  private static final String ZOMBIE =
      "4242 (sl) eep) Z 4240 4240 100 34816 4240 4227084 0 0 0 0 0 0 0 0 20 0 1 0 9000 0 0"
          + " 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 17\n";

  /** A sleeping user process. */
  private static final String SLEEPING =
      "4240 (sleep) S 1 4240 100 34816 4240 4194560 93 0 0 0 0 0 0 0 20 0 1 0 8900 5689344 224"
          + " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

  @Test
  void aKernelThreadOrAZombieCannotBeTraced() {
    assertEquals(
        "pid 2 is a kernel thread (no executable to trace)",
        StandaloneSession.processProblem(2, KTHREADD));
    assertEquals(
        "pid 4242 is a zombie: it has exited and only waits for its parent to collect its status;"
            + " there is nothing left to trace",
        StandaloneSession.processProblem(4242, ZOMBIE));
    assertEquals(
        "no process with pid 4242 (it has exited)",
        StandaloneSession.processProblem(4242, ZOMBIE.replace(") Z ", ") X ")));
    assertEquals("no process with pid 7", StandaloneSession.processProblem(7, null));
    assertNull(StandaloneSession.processProblem(4240, SLEEPING));
    assertNull(StandaloneSession.processProblem(4240, "4240 (truncated"), "no verdict on doubt");
  }

  @Test
  void aPidMustBePositive() {
    TracepointSpec spec = new TracepointSpec();
    spec.setFunction("main.F");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new StandaloneTracepoint("f", 0, null, ProbeSpec.of(spec), null));
    assertEquals("pid must be a positive process id, not 0", e.getMessage());
  }

  /** A directory or a device given as the executable is named for what it is. */
  @Test
  void anExecutableMustBeARegularFile(@TempDir Path dir) {
    assertEquals(dir + " is not a regular file (it is a directory)", resolveError(dir));
    assertEquals(
        "/dev/zero is not a regular file (it is a character device)",
        resolveError(Path.of("/dev/zero")));
    assertEquals("no such executable: " + dir.resolve("nope"), resolveError(dir.resolve("nope")));
  }

  private static String resolveError(Path executable) {
    TracepointSpec spec = new TracepointSpec();
    spec.setFunction("main.F");
    StandaloneTracepoint t =
        new StandaloneTracepoint("f", -1, executable, ProbeSpec.of(spec), null);
    return assertThrows(
            ResolveException.class,
            () ->
                StandaloneSession.resolve(
                    List.of(t),
                    p -> {
                      throw new AssertionError("opened " + p);
                    }))
        .getMessage();
  }

  /** A binary without functions that records whether it was closed. */
  static final class EmptyBinary implements Binary {
    final Path path;
    boolean closed;

    EmptyBinary(Path path) {
      this.path = path;
    }

    @Override
    public String path() {
      return path.toString();
    }

    @Override
    public String buildId() {
      return null;
    }

    @Override
    public List<String> functionNames(Pattern filter) {
      return List.of();
    }

    @Override
    public List<Function> lookup(String name) throws ResolveException {
      throw new ResolveException("no function " + name + " in " + path);
    }

    @Override
    public Optional<Type> type(String name) {
      return Optional.empty();
    }

    @Override
    public long fileOffset(long vaddr) {
      return vaddr;
    }

    @Override
    public byte[] read(long vaddr, int len) {
      return new byte[len];
    }

    @Override
    public String symbolize(long vaddr) {
      return null;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private static StandaloneTracepoint tracepoint(String function) {
    TracepointSpec spec = new TracepointSpec();
    spec.setFunction(function);
    return new StandaloneTracepoint(
        function, -1, Path.of("/proc/self/exe"), ProbeSpec.of(spec), null);
  }

  @Test
  void aFailedPlanClosesItsBinaryAndTheOnesBefore() {
    List<EmptyBinary> opened = new ArrayList<>();
    ResolveException e =
        assertThrows(
            ResolveException.class,
            () ->
                StandaloneSession.resolve(
                    List.of(tracepoint("main.A"), tracepoint("main.B")),
                    p -> {
                      EmptyBinary b = new EmptyBinary(p);
                      opened.add(b);
                      return b;
                    }));
    assertTrue(e.getMessage().contains("main.A"), e.getMessage());
    assertEquals(1, opened.size(), "stops at the first failure");
    assertTrue(opened.get(0).closed, "the binary of the failed plan is closed");
  }

  @Test
  void aMissingExecutableClosesTheBinariesAlreadyOpened() {
    List<EmptyBinary> opened = new ArrayList<>();
    TracepointSpec spec = new TracepointSpec();
    spec.setFunction("main.B");
    StandaloneTracepoint missing =
        new StandaloneTracepoint("b", -1, Path.of("/nonexistent/b"), ProbeSpec.of(spec), null);
    assertThrows(
        ResolveException.class,
        () ->
            StandaloneSession.resolve(
                List.of(missing),
                p -> {
                  EmptyBinary b = new EmptyBinary(p);
                  opened.add(b);
                  return b;
                }));
    assertEquals(0, opened.size());
  }
}
