package dev.dynlog.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.dynlog.abi.CallLayout;
import dev.dynlog.abi.Location;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.Limits;
import dev.dynlog.api.v1alpha1.SpecChecks;
import dev.dynlog.api.v1alpha1.SpecProblem;
import dev.dynlog.api.v1alpha1.TracepointSpec;
import dev.dynlog.dwarf.DwarfBinary;
import dev.dynlog.plan.Decoder;
import dev.dynlog.plan.PlanOptions;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.plan.ProbePlanner;
import dev.dynlog.plan.ValuePlan;
import dev.dynlog.recipe.Piece;
import dev.dynlog.recipe.Read;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.Language;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.symbols.Variable;
import java.io.PrintWriter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dynlog inspect BINARY [FUNCTION]}: lists a binary's functions, or shows one function's
 * signature, where each parameter and result lives, its entry and RET addresses, and the probe plan
 * of {@code --expr} expressions.
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "List the functions of a binary, or show where a function's parameters and results live.",
      "Without FUNCTION: one function name per line (filter with --filter or --regex).",
      "With FUNCTION: signature, parameter and result locations, entry and RET addresses, and the plan of each --expr."
    })
public final class InspectCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "BINARY",
      description = "ELF executable or shared object with debug information")
  Path binary;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "FUNCTION",
      description =
          "qualified name, e.g. github.com/org/repo/pkg.(*T).Method or ns::Class::method; "
              + "a C++ overload may be picked with its parameter types, e.g. 'ns::f(int)'")
  String function;

  @Option(
      names = "--filter",
      paramLabel = "TEXT",
      description = "list only functions whose name contains TEXT")
  String filter;

  @Option(
      names = "--regex",
      paramLabel = "REGEX",
      description = "list only functions whose name matches REGEX (find)")
  String regex;

  @Option(
      names = "--expr",
      paramLabel = "NAME=EXPR",
      description =
          "show the plan for a capture expression (repeatable), e.g. --expr user=req.User.Name, --expr ret=$0")
  List<String> expressions = new ArrayList<>();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text (default) or json")
  String output;

  @Option(
      names = {"--max-string-bytes", "--string-cap"},
      paramLabel = "BYTES",
      description =
          "bytes copied at most per string, 1.."
              + Limits.MAX_STRING_BYTES
              + " (default "
              + Limits.DEFAULT_MAX_STRING_BYTES
              + ", as for trace and Tracepoints)")
  int stringCap = Limits.DEFAULT_MAX_STRING_BYTES;

  @Spec CommandSpec spec;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Override
  public Integer call() throws Exception {
    if (!output.equals("text") && !output.equals("json")) {
      throw new IllegalArgumentException("--output must be text or json, not `" + output + "`");
    }
    check();
    String problem = DwarfBinary.fileProblem(binary);
    if (problem != null) throw new ResolveException(problem);
    PlanOptions options = PlanOptions.defaults().withStringCap(stringCap);
    PrintWriter out = spec.commandLine().getOut();
    try (DwarfBinary bin = DwarfBinary.open(binary)) {
      if (function == null) {
        if (!expressions.isEmpty()) throw new IllegalArgumentException("--expr needs a FUNCTION");
        list(bin, out);
      } else {
        if (filter != null || regex != null) {
          throw new IllegalArgumentException(
              "--filter/--regex list functions; do not give a FUNCTION with them");
        }
        show(bin, options, out);
      }
    }
    out.flush();
    return 0;
  }

  /**
   * Checks {@code --expr} and {@code --max-string-bytes} as {@code dynlog trace} checks {@code
   * --capture} and its limits: as a Tracepoint spec, in the options' words. FUNCTION is looked up
   * as given (any name the binary has, also one a Tracepoint's pattern does not admit).
   */
  void check() {
    TraceCommand.requireNames(expressions, "--expr");
    TracepointSpec s = new TracepointSpec();
    s.setCapture(expressions.stream().map(Capture::parse).toList());
    s.setLimits(new Limits(null, stringCap, null, null));
    List<SpecProblem> problems =
        SpecChecks.problems(s).stream()
            .filter(p -> !p.message().startsWith("spec.function"))
            .toList();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          TraceCommand.inOptionWords(problems, "--expr", expressions, List.of()));
    }
  }

  private void list(DwarfBinary bin, PrintWriter out) throws Exception {
    if (filter != null && regex != null)
      throw new IllegalArgumentException("use --filter or --regex, not both");
    Pattern p = null;
    if (filter != null) p = Pattern.compile(Pattern.quote(filter));
    if (regex != null) {
      try {
        p = Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "--regex: invalid pattern `" + regex + "`: " + e.getDescription());
      }
    }
    List<String> names = bin.functionNames(p);
    if (output.equals("json")) {
      out.println(JSON.writeValueAsString(Map.of("functions", names)));
    } else {
      names.forEach(out::println);
    }
  }

  private void show(DwarfBinary bin, PlanOptions options, PrintWriter out) throws Exception {
    ProbePlanner planner = new ProbePlanner(bin, options);
    Function f = planner.function(function);
    CallLayout layout = planner.layout(f);
    List<Capture> captures = expressions.stream().map(Capture::parse).toList();
    ProbePlan plan = planner.plan(f, captures);
    Map<String, Object> doc = document(bin, f, layout, plan);
    if (output.equals("json")) {
      out.println(JSON.writeValueAsString(doc));
    } else {
      printText(f, layout, plan, doc, out);
    }
  }

  private static Map<String, Object> document(
      DwarfBinary bin, Function f, CallLayout layout, ProbePlan plan) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("binary", bin.path());
    doc.put("build_id", bin.buildId());
    doc.put("function", f.name());
    doc.put("linkage_name", f.linkageName());
    doc.put("language", f.language().name());
    doc.put("producer", f.producer());
    doc.put("calling_convention", layout.convention());
    doc.put("signature", signature(f));
    doc.put("inlined", f.inlined());
    doc.put("entry_address", hex(plan.entryAddress()));
    doc.put("entry_file_offset", hex(plan.entryFileOffset()));
    doc.put("ret_addresses", plan.retAddresses().stream().map(InspectCommand::hex).toList());
    doc.put("ret_file_offsets", plan.retFileOffsets().stream().map(InspectCommand::hex).toList());
    doc.put("ranges", f.ranges().stream().map(r -> List.of(hex(r.low()), hex(r.high()))).toList());
    List<Map<String, Object>> params = new ArrayList<>();
    List<Variable> args = f.arguments();
    for (int i = 0; i < args.size(); i++)
      params.add(
          variable(
              args.get(i).name(), args.get(i).type().displayName(), layout.arguments().get(i)));
    doc.put("parameters", params);
    List<Map<String, Object>> results = new ArrayList<>();
    for (int i = 0; i < layout.results().size(); i++) {
      String name = f.language() == Language.GO ? f.results().get(i).name() : "$0";
      String type =
          f.language() == Language.GO
              ? f.results().get(i).type().displayName()
              : f.returnType().displayName();
      Map<String, Object> r = variable(name, type, layout.results().get(i));
      r.put("expression", "$" + i);
      results.add(r);
    }
    doc.put("results", results);
    if (plan.goRuntime() != null) {
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("goid_offset", plan.goRuntime().goidOffset());
      g.put("stack_hi_offset", plan.goRuntime().stackHiOffset());
      g.put("sched_pc_offset", plan.goRuntime().schedPcOffset());
      doc.put("go_runtime", g);
    }
    List<Map<String, Object>> captures = new ArrayList<>();
    for (ValuePlan v : plan.values()) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("name", v.name());
      c.put("expression", v.expression());
      c.put("type", v.typeName());
      c.put("at", v.atReturn() ? "return" : "entry");
      c.put("location", v.location());
      c.put("reads", v.reads().stream().map(InspectCommand::read).toList());
      c.put("decoder", decoder(v.decoder()));
      if (!v.redacted().isEmpty()) {
        c.put(
            "redacted",
            v.redacted().stream().map(r -> Map.of("path", r.path(), "rule", r.rule())).toList());
      }
      captures.add(c);
    }
    doc.put("captures", captures);
    return doc;
  }

  private static Map<String, Object> variable(String name, String type, Location loc) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("type", type);
    m.put("location", loc.describe());
    return m;
  }

  private static Map<String, Object> read(Read r) {
    Map<String, Object> m = new LinkedHashMap<>();
    List<Map<String, Object>> root = new ArrayList<>();
    for (Piece p : r.root()) {
      Map<String, Object> pm = new LinkedHashMap<>();
      if (p.source() == Piece.Source.REGISTER) pm.put("register", p.register().name());
      else pm.put("stack_offset", p.stackOffset());
      pm.put("size", p.size());
      pm.put("value_offset", p.valueOffset());
      root.add(pm);
    }
    m.put("root", root);
    m.put("memory", r.memory());
    m.put("derefs", r.derefs());
    m.put("final_offset", r.finalOffset());
    m.put("size", r.size());
    m.put("kind", r.kind().name());
    if (r.kind() != Read.Kind.BYTES) m.put("cap", r.cap());
    m.put("text", r.toString());
    return m;
  }

  /** A decoder as JSON: its kind plus its record components (nested decoders recursively). */
  static Object decoder(Object d) {
    if (d instanceof List<?> list) return list.stream().map(InspectCommand::decoder).toList();
    if (!(d instanceof Decoder)) return d;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", d.getClass().getSimpleName());
    for (RecordComponent rc : d.getClass().getRecordComponents()) {
      try {
        m.put(rc.getName(), decoder(rc.getAccessor().invoke(d)));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return m;
  }

  private static void printText(
      Function f, CallLayout layout, ProbePlan plan, Map<String, Object> doc, PrintWriter out) {
    out.println(doc.get("signature"));
    out.println(
        "  binary:       "
            + doc.get("binary")
            + (doc.get("build_id") == null ? "" : " (build-id " + doc.get("build_id") + ")"));
    out.println("  language:     " + f.language() + " (" + f.producer() + ")");
    out.println("  convention:   " + layout.convention());
    if (f.inlined())
      out.println(
          "  note:         also inlined into some callers; probes see only out-of-line calls");
    out.println(
        "  entry:        "
            + hex(plan.entryAddress())
            + " (file offset "
            + hex(plan.entryFileOffset())
            + ")");
    List<String> rets = new ArrayList<>();
    for (int i = 0; i < plan.retAddresses().size(); i++) {
      rets.add(
          hex(plan.retAddresses().get(i))
              + " (file offset "
              + hex(plan.retFileOffsets().get(i))
              + ")");
    }
    out.println(
        "  returns:      "
            + (rets.isEmpty()
                ? "none (no RET instruction; tail calls only?)"
                : String.join(", ", rets)));
    if (plan.goRuntime() != null) {
      out.println(
          "  runtime.g:    goid @"
              + plan.goRuntime().goidOffset()
              + ", stack.hi @"
              + plan.goRuntime().stackHiOffset()
              + ", sched.pc @"
              + plan.goRuntime().schedPcOffset());
    }
    out.println("  parameters (at entry):");
    table(castList(doc.get("parameters")), out);
    out.println("  results (at return):");
    table(castList(doc.get("results")), out);
    if (!plan.values().isEmpty()) out.println("  captures:");
    for (ValuePlan v : plan.values()) {
      out.println(
          "    "
              + v.name()
              + " = "
              + v.expression()
              + "  ("
              + v.typeName()
              + ", at "
              + (v.atReturn() ? "return" : "entry")
              + ", "
              + v.location()
              + ")");
      for (int i = 0; i < v.reads().size(); i++)
        out.println("      read " + i + ": " + v.reads().get(i));
      out.println("      decode: " + v.decoder());
      for (ValuePlan.Redacted r : v.redacted())
        out.println("      not read: " + r.path() + ": " + r.rule());
    }
  }

  private static void table(List<Map<String, Object>> rows, PrintWriter out) {
    if (rows.isEmpty()) {
      out.println("    (none)");
      return;
    }
    int nw = rows.stream().mapToInt(r -> String.valueOf(r.get("name")).length()).max().orElse(0);
    int tw = rows.stream().mapToInt(r -> String.valueOf(r.get("type")).length()).max().orElse(0);
    for (Map<String, Object> r : rows) {
      out.println(
          "    "
              + pad(String.valueOf(r.get("name")), nw)
              + "  "
              + pad(String.valueOf(r.get("type")), tw)
              + "  "
              + r.get("location"));
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> castList(Object o) {
    return (List<Map<String, Object>>) o;
  }

  private static String pad(String s, int w) {
    return s.length() >= w ? s : s + " ".repeat(w - s.length());
  }

  /** Virtual address as objdump prints it: lower-case hex without padding. */
  static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }

  /** {@code func name(a T, b U) (R, S)} for Go, {@code R name(T a, U b)} for C/C++. */
  static String signature(Function f) {
    if (f.language() == Language.GO) {
      String params =
          f.arguments().stream()
              .map(v -> v.name() + " " + v.type().displayName())
              .collect(Collectors.joining(", "));
      List<Variable> results = f.results();
      boolean named = results.stream().anyMatch(v -> v.name() != null && !v.name().startsWith("~"));
      String res =
          results.stream()
              .map(v -> named ? v.name() + " " + v.type().displayName() : v.type().displayName())
              .collect(Collectors.joining(", "));
      if (results.size() > 1 || named) res = "(" + res + ")";
      return "func " + f.name() + "(" + params + ")" + (res.isEmpty() ? "" : " " + res);
    }
    String ret = f.returnType() == null ? "void" : f.returnType().displayName();
    String params =
        f.arguments().stream()
            .map(v -> v.type().displayName() + (v.name() == null ? "" : " " + v.name()))
            .collect(Collectors.joining(", "));
    return ret + " " + f.name() + "(" + params + ")";
  }
}
