package dev.dynlog.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.recipe.Piece;
import dev.dynlog.recipe.Read;
import dev.dynlog.testing.TargetOutput;
import dev.dynlog.testing.Tools;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a target under {@code gdb -batch} with breakpoints at the probe sites of some plans and
 * executes each plan's reads there against the live registers and memory (a stand-in for the BPF
 * program that needs no privileges), using {@code gdb_plan_oracle.py}. The target's own ground
 * truth is collected alongside.
 */
final class GdbPlanOracle {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  /**
   * How return values are caught: on the function's RET instructions (Go) or at the caller's return
   * address (C/C++, like a uretprobe).
   */
  enum ExitMode {
    RET,
    CALLER
  }

  /** The bytes one read produced at one hit, or why it failed. */
  record ReadResult(byte[] bytes, byte[] text, String error) {}

  /**
   * One probe hit: function, "entry" or "exit", and the results of that site's reads in plan order.
   */
  record Hit(String fn, String at, List<ReadResult> reads) {}

  /** Everything one run observed. */
  record Run(List<Hit> hits, int restarts, List<String> trace, TargetOutput truth, String gdbLog) {
    List<Hit> hits(String fn, String at) {
      return hits.stream().filter(h -> h.fn().equals(fn) && h.at().equals(at)).toList();
    }
  }

  /**
   * A plan under its ground-truth function name (which for C++ overloads differs from the DWARF
   * name).
   */
  record Probe(String truthName, ProbePlan plan) {}

  static Run run(Path binary, List<Probe> probes, ExitMode mode, Path workDir, String... targetArgs)
      throws IOException {
    Path gdb = Tools.find("gdb");
    Path config = workDir.resolve("oracle-config.json");
    Path hitsFile = workDir.resolve("oracle-hits.jsonl");
    Path truthFile = workDir.resolve("truth.jsonl");
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("out", hitsFile.toString());
    List<Map<String, Object>> functions = new ArrayList<>();
    for (Probe p : probes) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("fn", p.truthName());
      f.put("entry", p.plan().entryAddress());
      f.put("rets", p.plan().retAddresses());
      f.put("mode", mode == ExitMode.RET ? "ret" : "caller");
      f.put("entry_reads", reads(p.plan(), false));
      f.put("exit_reads", reads(p.plan(), true));
      if (p.plan().goRuntime() != null) {
        f.put(
            "go",
            Map.of(
                "goid",
                p.plan().goRuntime().goidOffset(),
                "stack_hi",
                p.plan().goRuntime().stackHiOffset()));
      }
      functions.add(f);
    }
    cfg.put("functions", functions);
    cfg.put("pie", positionIndependent(binary));
    Files.writeString(config, JSON.writeValueAsString(cfg));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                gdb.toString(),
                "-batch",
                "-nx",
                "-iex",
                "set auto-load off",
                "-ex",
                "set pagination off",
                "-ex",
                "set confirm off",
                "-ex",
                "set startup-with-shell off",
                "-ex",
                "handle SIGURG SIGPIPE SIGPROF nostop noprint pass",
                // gdb re-reports a breakpoint when a signal lands while it steps over it; Go's
                // asynchronous
                // preemption (SIGURG) makes that frequent, and it is not what this oracle examines.
                "-ex",
                "set environment GODEBUG asyncpreemptoff=1",
                "-ex",
                "set $dynlog_config = \"" + config + "\"",
                "-x",
                script().toString(),
                "--args",
                binary.toString()));
    cmd.addAll(List.of(targetArgs));
    cmd.add("-out=" + truthFile);
    String log = Tools.run("gdb plan oracle on " + binary, cmd, workDir, Map.of(), TIMEOUT);
    List<Hit> hits = new ArrayList<>();
    int restarts = 0;
    List<String> trace = new ArrayList<>();
    if (!Files.exists(hitsFile))
      throw new IllegalStateException("gdb wrote no hits; its output:\n" + log);
    for (String line : Files.readAllLines(hitsFile, StandardCharsets.UTF_8)) {
      JsonNode n = JSON.readTree(line);
      trace.add(
          n.get("fn").asText()
              + " "
              + n.get("at").asText()
              + (n.has("frame") ? " (" + n.get("frame").asText() + ")" : ""));
      if (!n.has("reads")) {
        restarts++;
        continue;
      }
      List<ReadResult> rs = new ArrayList<>();
      for (JsonNode r : n.get("reads")) {
        rs.add(
            new ReadResult(
                r.has("bytes") ? HexFormat.of().parseHex(r.get("bytes").asText()) : null,
                r.has("text") ? HexFormat.of().parseHex(r.get("text").asText()) : null,
                r.has("error") ? r.get("error").asText() : null));
      }
      hits.add(new Hit(n.get("fn").asText(), n.get("at").asText(), rs));
    }
    TargetOutput truth =
        TargetOutput.parse(0, Files.readAllLines(truthFile, StandardCharsets.UTF_8), log);
    return new Run(hits, restarts, trace, truth, log);
  }

  /** The reads of all values captured at entry (or at exit), concatenated in plan order. */
  private static List<Map<String, Object>> reads(ProbePlan plan, boolean atReturn) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ValuePlan v : plan.values()) {
      if (v.atReturn() != atReturn) continue;
      for (Read r : v.reads()) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> root = new ArrayList<>();
        for (Piece p : r.root()) {
          Map<String, Object> pm = new LinkedHashMap<>();
          pm.put(
              "reg",
              p.source() == Piece.Source.REGISTER ? p.register().name().toLowerCase() : null);
          pm.put("stack", p.stackOffset());
          pm.put("size", p.size());
          pm.put("at", p.valueOffset());
          root.add(pm);
        }
        m.put("root", root);
        m.put("memory", r.memory());
        m.put("derefs", r.derefs());
        m.put("final", r.finalOffset());
        m.put("size", r.size());
        m.put("kind", r.kind().name());
        m.put("cap", r.cap());
        out.add(m);
      }
    }
    return out;
  }

  /** True for ET_DYN (PIE executables), whose addresses are relative to where they are loaded. */
  private static boolean positionIndependent(Path binary) throws IOException {
    try (var in = Files.newInputStream(binary)) {
      byte[] header = in.readNBytes(18);
      return header.length == 18 && header[16] == 3 && header[17] == 0;
    }
  }

  private static Path script() {
    try {
      return Path.of(GdbPlanOracle.class.getResource("gdb_plan_oracle.py").toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("gdb_plan_oracle.py is not on the test classpath", e);
    }
  }
}
