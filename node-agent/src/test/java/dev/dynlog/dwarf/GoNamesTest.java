package dev.dynlog.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.ResolveException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Go names as the linker writes them — generic functions and methods of generic types (go.shape
 * instantiations), pointer and value receivers, a dotted module path — equal the ELF symbols {@code
 * go tool nm} lists at the same addresses, and the friendly forms resolve.
 */
@Tag("toolchain")
class GoNamesTest {
  private static final String MAIN =
      """
      package main

      import (
      	"fmt"
      	"os"

      	"example.com/deep/path.v2/lib"
      )

      func main() {
      	l := &lib.List[int]{}
      	l.Push(len(os.Args))
      	s := &lib.List[string]{}
      	s.Push("x")
      	fmt.Println(l.Len(), s.Len(), lib.Pair(1, "a"), lib.Point{X: 1}.Norm(), (&lib.Point{X: 2}).Scale(2))
      }
      """;
  private static final String LIB =
      """
      package lib

      type List[T any] struct{ items []T }

      //go:noinline
      func (l *List[T]) Push(v T) { l.items = append(l.items, v) }

      //go:noinline
      func (l List[T]) Len() int { return len(l.items) }

      //go:noinline
      func Pair[K comparable, V any](k K, v V) map[K]V { return map[K]V{k: v} }

      type Point struct{ X, Y int }

      //go:noinline
      func (p Point) Norm() int { return p.X*p.X + p.Y*p.Y }

      //go:noinline
      func (p *Point) Scale(k int) *Point { p.X *= k; return p }
      """;
  private static final String LIBPATH = "example.com/deep/path.v2/lib";

  @TempDir Path dir;

  @Test
  void namesMatchGoToolNmAndFriendlyFormsResolve() throws Exception {
    Files.writeString(dir.resolve("go.mod"), "module example.com/deep/path.v2\n\ngo 1.21\n");
    Files.writeString(dir.resolve("main.go"), MAIN);
    Files.createDirectories(dir.resolve("lib"));
    Files.writeString(dir.resolve("lib/lib.go"), LIB);
    Path bin = dir.resolve("prog");
    run(
        List.of("go", "build", "-o", bin.toString(), "."),
        Map.of("GOTOOLCHAIN", "local", "GOFLAGS", "-mod=mod", "CGO_ENABLED", "0"));
    Set<String> nm = new TreeSet<>();
    Map<String, Long> addr = new HashMap<>();
    for (String line :
        run(List.of("go", "tool", "nm", bin.toString()), Map.of("GOTOOLCHAIN", "local"))
            .lines()
            .toList()) {
      String[] f = line.trim().split(" ", 3);
      if (f.length == 3 && f[1].equals("T") && f[2].startsWith(LIBPATH)) {
        nm.add(f[2]);
        addr.put(f[2], Long.parseUnsignedLong(f[0], 16));
      }
    }
    try (DwarfBinary b = DwarfBinary.open(bin)) {
      List<String> mine = b.functionNames(Pattern.compile("^" + Pattern.quote(LIBPATH) + "\\."));
      assertEquals(nm, new TreeSet<>(mine), "functions of the library package");
      for (String n : mine) assertEquals(addr.get(n), b.lookup(n).get(0).lowPc(), n);

      List<String> push =
          b.lookup("lib.(*List).Push").stream().map(Function::name).sorted().toList();
      assertEquals(
          List.of(
              LIBPATH + ".(*List[go.shape.int]).Push", LIBPATH + ".(*List[go.shape.string]).Push"),
          push);
      assertEquals(
          LIBPATH + ".(*List[go.shape.int]).Push", one(b.lookup("lib.(*List[int]).Push")).name());
      assertEquals(
          LIBPATH + ".List[go.shape.string].Len",
          one(b.lookup(LIBPATH + ".List[string].Len")).name());
      assertEquals(
          LIBPATH + ".Pair[go.shape.int,go.shape.string]",
          one(b.lookup("lib.Pair[int,go.shape.string]")).name());
      assertEquals(LIBPATH + ".Point.Norm", one(b.lookup("lib.Point.Norm")).name());
      assertEquals(LIBPATH + ".(*Point).Scale", one(b.lookup("lib.Point.Scale")).name());
      assertEquals(
          List.of("p", "k", "~r0"),
          one(b.lookup("lib.Point.Scale")).parameters().stream().map(v -> v.name()).toList());
      ResolveException e = assertThrows(ResolveException.class, () -> b.lookup("lib.Pont.Norm"));
      assertTrue(e.getMessage().contains(LIBPATH + ".Point.Norm"), e.getMessage());
    }
  }

  private static Function one(List<Function> fs) {
    assertEquals(1, fs.size(), fs.toString());
    return fs.get(0);
  }

  private String run(List<String> cmd, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment().put("PATH", System.getenv("PATH") + ":/usr/local/go/bin");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + cmd);
    assertEquals(0, p.exitValue(), cmd + ":\n" + out);
    return out;
  }
}
