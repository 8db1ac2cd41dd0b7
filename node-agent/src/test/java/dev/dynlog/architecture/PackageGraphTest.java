package dev.dynlog.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.dynlog.cli.Main;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node agent's packages depend on each other only down the data flow, as docs/architecture.md
 * draws it: elf/x86/types/recipe/proc → symbols → dwarf/abi → plan → bpf → trace → store →
 * query/metrics → agent → http → cli. Read from the compiled classes (every dependency the compiler
 * kept: imports, fully qualified names, signatures), so a new package or arrow must be placed here
 * deliberately. Prints the graph.
 */
class PackageGraphTest {

  private static final String ROOT = "dev.dynlog.";

  /** Each package, in data-flow order, with the packages it may use (api is the shared model). */
  private static final Map<String, Set<String>> ALLOWED = new LinkedHashMap<>();

  static {
    ALLOWED.put("elf", Set.of());
    ALLOWED.put("x86", Set.of());
    ALLOWED.put("types", Set.of());
    ALLOWED.put("recipe", Set.of());
    ALLOWED.put("proc", Set.of());
    ALLOWED.put("symbols", Set.of("types"));
    ALLOWED.put("dwarf", Set.of("elf", "symbols", "types"));
    ALLOWED.put("abi", Set.of("recipe", "symbols", "types"));
    ALLOWED.put("plan", Set.of("abi", "api", "recipe", "symbols", "types", "x86"));
    ALLOWED.put("bpf", Set.of("recipe"));
    ALLOWED.put("trace", Set.of("bpf", "plan", "recipe", "symbols"));
    ALLOWED.put("store", Set.of("trace"));
    ALLOWED.put("query", Set.of("store", "trace"));
    ALLOWED.put("metrics", Set.of("store", "trace"));
    ALLOWED.put("agent", Set.of("api", "dwarf", "plan", "proc", "store", "symbols", "trace"));
    ALLOWED.put("http", Set.of("agent", "metrics", "query", "store", "trace"));
    ALLOWED.put("kube", Set.of("agent", "api", "http"));
    ALLOWED.put(
        "cli",
        Set.of(
            "abi", "agent", "api", "dwarf", "http", "kube", "metrics", "plan", "proc", "query",
            "recipe", "store", "symbols", "trace", "types"));
  }

  private static final Map<String, Set<String>> GRAPH = new TreeMap<>();

  @BeforeAll
  static void readCompiledClasses() throws URISyntaxException {
    // the node agent's own classes folder (or jar) only: fast, and not the api module's
    Path main = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    JavaClasses classes = new ClassFileImporter().importPath(main);
    for (JavaClass c : classes) {
      String from = top(c.getPackageName());
      if (from == null || from.equals("api")) continue;
      Set<String> to = GRAPH.computeIfAbsent(from, k -> new TreeSet<>());
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        String target = top(d.getTargetClass().getPackageName());
        if (target != null && !target.equals(from)) to.add(target);
      }
    }
    StringBuilder sb = new StringBuilder("node-agent package graph (package -> what it uses):\n");
    GRAPH.forEach((p, uses) -> sb.append("  ").append(p).append(" -> ").append(uses).append('\n'));
    System.out.print(sb);
  }

  /**
   * {@code dev.dynlog.trace} → {@code trace}; {@code dev.dynlog.api.expr} → {@code api}; else null.
   */
  private static String top(String pkg) {
    if (!pkg.startsWith(ROOT)) return null;
    String rest = pkg.substring(ROOT.length());
    int dot = rest.indexOf('.');
    return dot < 0 ? rest : rest.substring(0, dot);
  }

  @Test
  void everyPackageIsPlaced() {
    assertEquals(
        ALLOWED.keySet().stream().sorted().toList(),
        GRAPH.keySet().stream().sorted().toList(),
        "the node agent's packages; place a new one in ALLOWED (and in docs/architecture.md)");
  }

  @Test
  void arrowsFollowTheDataFlow() {
    List<String> wrong = new ArrayList<>();
    GRAPH.forEach(
        (p, uses) -> {
          for (String u : uses) {
            if (!ALLOWED.getOrDefault(p, Set.of()).contains(u)) wrong.add(p + " -> " + u);
          }
        });
    assertTrue(wrong.isEmpty(), "dependencies against the data flow: " + wrong);
  }

  @Test
  void noCycles() {
    for (String start : GRAPH.keySet()) {
      List<String> cycle =
          cycleFrom(start, start, new ArrayList<>(List.of(start)), new TreeSet<>());
      assertTrue(
          cycle == null, "package cycle: " + (cycle == null ? "" : String.join(" -> ", cycle)));
    }
  }

  private static List<String> cycleFrom(
      String start, String at, List<String> path, Set<String> seen) {
    for (String next : GRAPH.getOrDefault(at, Set.of())) {
      if (next.equals(start)) {
        List<String> cycle = new ArrayList<>(path);
        cycle.add(start);
        return cycle;
      }
      if (seen.add(next)) {
        path.add(next);
        List<String> found = cycleFrom(start, next, path, seen);
        if (found != null) return found;
        path.remove(path.size() - 1);
      }
    }
    return null;
  }
}
