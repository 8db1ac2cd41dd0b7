package dev.dynlog.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** Resolving standalone tracepoints closes every binary it opened when it fails. */
class ResolveTest {

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
