package dev.dynlog.plan;

import dev.dynlog.abi.CallLayout;
import dev.dynlog.abi.CallingConvention;
import dev.dynlog.abi.SysVAbi;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.recipe.Read;
import dev.dynlog.symbols.Binary;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.Language;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.symbols.Variable;
import dev.dynlog.types.Type;
import dev.dynlog.x86.InstructionDecodeException;
import dev.dynlog.x86.ReturnFinder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Resolves a function of a binary and a list of captures into a {@link ProbePlan}: entry and RET
 * addresses with their file offsets, each capture's reads and decoder, and (Go) the runtime.g
 * offsets used to pair entries with returns by goroutine.
 */
public final class ProbePlanner {

  /**
   * Largest function range whose code we decode for RETs (a corrupt range must not exhaust memory).
   */
  private static final long MAX_RANGE = 64L << 20;

  private final Binary binary;
  private final PlanOptions options;

  public ProbePlanner(Binary binary, PlanOptions options) {
    this.binary = binary;
    this.options = options;
  }

  public ProbePlanner(Binary binary) {
    this(binary, PlanOptions.defaults());
  }

  /**
   * The one function named {@code name} (a C++ name may carry a parameter list to pick an
   * overload).
   *
   * @throws ResolveException when it does not exist, has no code, or names several functions
   */
  public Function function(String name) throws ResolveException {
    List<Function> found = binary.lookup(name);
    List<Function> withCode =
        found.stream().filter(f -> !f.declaration() && f.lowPc() != 0).toList();
    if (withCode.isEmpty()) {
      throw new ResolveException(
          "function `"
              + name
              + "` in "
              + binary.path()
              + " has no code of its own"
              + " (only inlined or declared); nothing to probe");
    }
    if (withCode.size() > 1) {
      throw new ResolveException(
          "`"
              + name
              + "` names "
              + withCode.size()
              + " functions in "
              + binary.path()
              + "; pick one: "
              + withCode.stream()
                  .map(ProbePlanner::signature)
                  .distinct()
                  .collect(Collectors.joining("; ")));
    }
    return withCode.get(0);
  }

  /**
   * Where each argument and result of {@code f} lives, by its calling convention. For C++, classes
   * whose debug information lacks DW_AT_calling_convention (GCC) count as not trivially copyable
   * when the binary has a user-provided destructor or copy/move constructor for them.
   */
  public CallLayout layout(Function f) throws ResolveException {
    if (f.language() == Language.GO) return CallingConvention.of(f).layout(f);
    String symbol = binary.symbolize(f.lowPc());
    if (symbol != null && COMPILER_CLONE.matcher(symbol).find()) {
      throw new ResolveException(
          f.name()
              + " in "
              + binary.path()
              + " exists only as the compiler clone "
              + symbol
              + ", whose calling convention differs from its declaration (GCC removed or split parameters);"
              + " its arguments cannot be located from the declaration");
    }
    if (f.language() == Language.CPP)
      return SysVAbi.withCopySemantics(this::userDeclaredCopyOrDestructor).layout(f);
    return CallingConvention.of(f).layout(f);
  }

  /** GCC clones with a changed signature: IPA-SRA, constant propagation, partial inlining. */
  private static final Pattern COMPILER_CLONE = Pattern.compile("\\.(isra|constprop|part)\\.\\d+");

  private final Map<Type, Boolean> copySemantics = new IdentityHashMap<>();

  /** True when the binary holds a destructor or a copy/move constructor of class {@code t}. */
  private synchronized boolean userDeclaredCopyOrDestructor(Type t) {
    return copySemantics.computeIfAbsent(t, this::findCopyOrDestructor);
  }

  private boolean findCopyOrDestructor(Type t) {
    String name = t.name();
    if (name == null || name.isEmpty()) return false;
    String simple = simpleName(name);
    if (simple.isEmpty()) return false;
    for (Function f : functionsNamed(name + "::~" + simple)) {
      if (f.name().equals(name + "::~" + simple)) return true;
    }
    for (Function f : functionsNamed(name + "::" + simple)) {
      if (!f.name().equals(name + "::" + simple)) continue;
      List<Variable> args = f.arguments().stream().filter(v -> !v.artificial()).toList();
      if (args.size() != 1) continue;
      Type a = args.get(0).type().stripped();
      if (a == null
          || (a.kind() != Type.Kind.REFERENCE && a.kind() != Type.Kind.RVALUE_REFERENCE)
          || a.target() == null) continue;
      Type referred = a.target().stripped();
      if (referred != null && name.equals(referred.name())) return true;
    }
    return false;
  }

  private List<Function> functionsNamed(String name) {
    try {
      return binary.lookup(name);
    } catch (ResolveException e) {
      return List.of();
    }
  }

  /** {@code ns::Tag} → {@code Tag}; {@code ns::Box<int>} → {@code Box}. */
  private static String simpleName(String qualified) {
    String n = qualified;
    if (n.endsWith(">")) {
      int depth = 0;
      for (int i = n.length() - 1; i >= 0; i--) {
        char c = n.charAt(i);
        if (c == '>') depth++;
        if (c == '<' && --depth == 0) {
          n = n.substring(0, i);
          break;
        }
      }
    }
    int sep = n.lastIndexOf("::");
    return sep < 0 ? n : n.substring(sep + 2);
  }

  /** Plans {@code captures} of the function named {@code name}. */
  public ProbePlan plan(String name, List<Capture> captures) throws ResolveException {
    return plan(function(name), captures);
  }

  /** Plans {@code captures} of {@code f}. */
  public ProbePlan plan(Function f, List<Capture> captures) throws ResolveException {
    CallLayout layout = layout(f);
    ValuePlanner planner = new ValuePlanner(f, layout, options);
    ValuePlanner.Budget entry = new ValuePlanner.Budget(options.maxReadsPerProbe());
    ValuePlanner.Budget exit = new ValuePlanner.Budget(options.maxReadsPerProbe());
    List<ValuePlan> values = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Capture c : captures) {
      if (c.getName() == null || c.getName().isBlank())
        throw new ResolveException("a capture needs a name: `" + c + "`");
      if (!names.add(c.getName())) {
        throw new ResolveException(
            "capture name `" + c.getName() + "` is used twice for " + f.name());
      }
      boolean atReturn = planner.readsAtReturn(c);
      values.add(planner.plan(c, atReturn ? exit : entry));
    }
    List<Long> rets = returnAddresses(f);
    List<Long> retOffsets = new ArrayList<>();
    for (long r : rets) retOffsets.add(binary.fileOffset(r));
    return new ProbePlan(
        binary.path(),
        binary.buildId(),
        f.name(),
        f.language(),
        f.lowPc(),
        binary.fileOffset(f.lowPc()),
        rets,
        retOffsets,
        values,
        f.language() == Language.GO ? goRuntime() : null,
        errorResult(f, planner));
  }

  /**
   * The read of the type word of a Go function's last result when it is an {@code error}, else
   * null.
   */
  private Read errorResult(Function f, ValuePlanner planner) throws ResolveException {
    List<Variable> results = f.results();
    if (f.language() != Language.GO || results.isEmpty()) return null;
    Type last = results.get(results.size() - 1).type();
    if (last == null || !"error".equals(last.name())) return null;
    ValuePlan v =
        planner.plan(
            new Capture("error", "$" + (results.size() - 1)),
            new ValuePlanner.Budget(options.maxReadsPerProbe()));
    if (v.decoder() instanceof Decoder.GoError g) return v.reads().get(g.read());
    return v.decoder() instanceof Decoder.GoInterface g ? v.reads().get(g.read()) : null;
  }

  /** Addresses of every RET instruction in all of the function's ranges, ascending. */
  public List<Long> returnAddresses(Function f) throws ResolveException {
    List<Long> rets = new ArrayList<>();
    for (Function.Range r : f.ranges()) {
      if (r.size() <= 0) continue;
      if (r.size() > MAX_RANGE) {
        throw new ResolveException(
            f.name()
                + ": code range 0x"
                + Long.toHexString(r.low())
                + "..0x"
                + Long.toHexString(r.high())
                + " is implausibly large ("
                + r.size()
                + " bytes)");
      }
      byte[] code = binary.read(r.low(), (int) r.size());
      try {
        rets.addAll(ReturnFinder.rets(code, r.low()));
      } catch (InstructionDecodeException e) {
        throw new ResolveException(
            f.name()
                + " in "
                + binary.path()
                + ": cannot decode its code to find RETs: "
                + e.getMessage(),
            e);
      }
    }
    rets.sort(Long::compare);
    return rets;
  }

  /**
   * Offsets of {@code goid}, {@code stack.hi} and {@code sched.pc} in runtime.g, from the binary's
   * own DWARF.
   */
  public ProbePlan.GoRuntime goRuntime() throws ResolveException {
    Type g =
        binary
            .type("runtime.g")
            .map(Type::stripped)
            .orElseThrow(
                () ->
                    new ResolveException(
                        binary.path() + ": no type runtime.g in the debug information"));
    Type.Member goid = g.member("goid");
    Type.Member stack = g.member("stack");
    if (goid == null || stack == null) {
      throw new ResolveException(
          binary.path()
              + ": runtime.g lacks "
              + (goid == null ? "goid" : "stack")
              + "; fields are "
              + MemberPath.names(g));
    }
    Type st = stack.type().stripped();
    Type.Member hi = st == null ? null : st.member("hi");
    if (hi == null) throw new ResolveException(binary.path() + ": runtime.stack has no field hi");
    long schedPc = -1;
    Type.Member sched = g.member("sched");
    Type gobuf = sched == null ? null : sched.type().stripped();
    Type.Member pc = gobuf == null ? null : gobuf.member("pc");
    if (pc != null) schedPc = sched.offset() + pc.offset();
    return new ProbePlan.GoRuntime(goid.offset(), stack.offset() + hi.offset(), schedPc);
  }

  /** {@code name(type, type)} for overload lists. */
  static String signature(Function f) {
    return f.name()
        + "("
        + f.arguments().stream()
            .filter(v -> !v.artificial() && (v.name() == null || !v.name().startsWith(".")))
            .map(v -> v.type().displayName())
            .collect(Collectors.joining(", "))
        + ")";
  }
}
