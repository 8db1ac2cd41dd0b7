package dev.dynlog.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.dwarf.DwarfBinary;
import dev.dynlog.plan.GdbPlanOracle.ExitMode;
import dev.dynlog.plan.GdbPlanOracle.Hit;
import dev.dynlog.plan.GdbPlanOracle.Probe;
import dev.dynlog.plan.GdbPlanOracle.ReadResult;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.testing.CppVariant;
import dev.dynlog.testing.GoVariant;
import dev.dynlog.testing.GroundTruth;
import dev.dynlog.testing.Targets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves probe plans right on real target binaries (every Go and C++ variant): the plans' reads are
 * executed by gdb at the real probe sites (function entry; Go RET instructions; the C/C++ caller's
 * return address, as a uretprobe would) and the decoded values must equal what the target itself
 * printed for the same call. Floats in XMM registers must come out as "unavailable", never as a
 * value.
 */
@Tag("toolchain")
class PlanOracleTest {

  private static final String SHOP = "dynlog.dev/targets/shop.";
  private static final String ABI = "dynlog.dev/targets/abi.";

  /** Go functions and what to capture: name → capture specs (NAME=EXPR). */
  private static final Map<String, List<String>> GO_CASES = new LinkedHashMap<>();

  private static final Map<String, List<String>> CPP_CASES = new LinkedHashMap<>();

  static {
    GO_CASES.put(SHOP + "(*Service).Login", List.of("username=username", "ok=$0", "err=$1"));
    GO_CASES.put(
        SHOP + "Sum",
        List.of("l=l", "r=r", "units=l.Units", "rcur=r.CurrencyCode", "sum=$0", "err=$1"));
    GO_CASES.put(
        SHOP + "(*Service).Handle",
        List.of(
            "id=req.ID",
            "name=req.User.Name",
            "age=req.User.Age",
            "user=req.User",
            "n=$0",
            "err=$1"));
    GO_CASES.put(SHOP + "Cart.Total", List.of("c=c", "price=price", "total=$0"));
    GO_CASES.put(SHOP + "(*Cart).Add", List.of("cart=*c", "n=n", "r=$0"));
    GO_CASES.put(
        SHOP + "(*Service).Lookup",
        List.of("id=id", "name=name", "found=found", "err=err", "r0=$0"));
    GO_CASES.put(SHOP + "Normalize", List.of("raw=raw", "len=len(raw)", "c2=raw[2]", "out=$0"));
    GO_CASES.put(ABI + "FillNine", List.of("s=s", "r=$0"));
    GO_CASES.put(ABI + "Spill", List.of("a=a", "t=t", "b=b", "r=$0"));
    GO_CASES.put(ABI + "MakePair", List.of("x=x", "p=$0", "err=$1"));
    GO_CASES.put(ABI + "MixIt", List.of("m=m", "r=$0"));
    GO_CASES.put(ABI + "Zeroed", List.of("z=z", "r=$0"));
    GO_CASES.put(ABI + "Arrays", List.of("one=one", "two=two", "t1=two[1]", "c=c", "r=$0"));
    GO_CASES.put(
        ABI + "Strs",
        List.of(
            "s=s",
            "b=b",
            "xs=xs",
            "x2=xs[2]",
            "s1=s[1]",
            "s9=s[9]",
            "b0=b[0]",
            "ls=len(s)",
            "n=$0",
            "up=$1"));
    GO_CASES.put(ABI + "Scale", List.of("x=x", "k=k", "r=$0"));
    GO_CASES.put(
        ABI + "Smalls", List.of("ok=ok", "i8=i8", "u16=u16", "i32=i32", "u64=u64", "r=$0"));
    GO_CASES.put(ABI + "Classify", List.of("l=l", "r=$0"));
    GO_CASES.put(ABI + "Max[go.shape.int]", List.of("a=a", "b=b", "r=$0"));
    GO_CASES.put(ABI + "Max[go.shape.string]", List.of("a=a", "b=b", "r=$0"));

    CPP_CASES.put("login", List.of("user=user", "r=$0"));
    CPP_CASES.put("shop::Cart::count", List.of("self=*this", "r=$0"));
    CPP_CASES.put(
        "shop::Cart::add", List.of("items=this->items", "owner=this->owner", "n=n", "r=$0"));
    CPP_CASES.put("shop::Cart::total", List.of("cents=this->cents", "discount=discount", "r=$0"));
    CPP_CASES.put(
        "shop::Cart::describe",
        List.of("prefix=prefix", "plen=len(prefix)", "owner=this->owner", "r=$0"));
    CPP_CASES.put("shop::addMoney", List.of("a=a", "b=b", "r=$0"));
    CPP_CASES.put("shop::sumBig", List.of("head=head", "b=b", "tail=tail", "r=$0"));
    CPP_CASES.put("shop::makeBig", List.of("seed=seed", "r=$0"));
    CPP_CASES.put("shop::mixedTotal", List.of("m=m", "r=$0"));
    CPP_CASES.put("shop::bump", List.of("counter=counter", "by=by", "r=$0"));
    CPP_CASES.put("shop::price(int)", List.of("n=n", "r=$0"));
    CPP_CASES.put("shop::price(const char*)", List.of("code=code", "r=$0"));
    CPP_CASES.put("shop::price(double)", List.of("weight=weight", "r=$0"));
    CPP_CASES.put("shop::scale", List.of("x=x", "k=k", "r=$0"));
  }

  static List<GoVariant> goVariants() {
    return Targets.goVariants();
  }

  static List<CppVariant> cppVariants() {
    return Targets.cppVariants();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goVariants")
  void goPlansReadWhatTheTargetPassed(GoVariant variant, @TempDir Path work) throws Exception {
    Path binary = Targets.build(variant);
    verify(binary, GO_CASES, ExitMode.RET, work, "-scenario=basic,abi", "-iterations=3");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cppVariants")
  void cppPlansReadWhatTheTargetPassed(CppVariant variant, @TempDir Path work) throws Exception {
    Path binary = Targets.build(variant);
    verify(binary, CPP_CASES, ExitMode.CALLER, work, "-scenario=basic,abi", "-iterations=3");
  }

  /**
   * {@code shop::Tag} has a user-provided copy constructor and destructor, so it travels by
   * invisible reference. clang says so with DW_AT_calling_convention; GCC 12 emits no such
   * attribute, so the planner finds the class's out-of-line destructor / copy constructor in the
   * binary instead.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cppVariants")
  void cppInvisibleReferenceIsFollowed(CppVariant variant, @TempDir Path work) throws Exception {
    Path binary = Targets.build(variant);
    Map<String, List<String>> cases =
        Map.of(
            "shop::tagId",
            List.of("id=t.id", "c0=t.label[0]", "c1=t.label[1]", "extra=extra", "r=$0"));
    verify(binary, cases, ExitMode.CALLER, work, 10, "-scenario=abi", "-iterations=3");
  }

  private static void verify(
      Path binary, Map<String, List<String>> cases, ExitMode mode, Path work, String... args)
      throws Exception {
    verify(binary, cases, mode, work, 100, args);
  }

  private static void verify(
      Path binary,
      Map<String, List<String>> cases,
      ExitMode mode,
      Path work,
      int minCompared,
      String... args)
      throws Exception {
    List<Probe> probes = new ArrayList<>();
    try (DwarfBinary bin = DwarfBinary.open(binary)) {
      ProbePlanner planner = new ProbePlanner(bin);
      for (Map.Entry<String, List<String>> c : cases.entrySet()) {
        List<Capture> captures = c.getValue().stream().map(Capture::parse).toList();
        try {
          probes.add(new Probe(c.getKey(), planner.plan(c.getKey(), captures)));
        } catch (ResolveException e) {
          fail("planning " + c.getKey() + " in " + binary + ": " + e.getMessage(), e);
        }
      }
    }
    GdbPlanOracle.Run run = GdbPlanOracle.run(binary, probes, mode, work, args);
    StringBuilder problems = new StringBuilder();
    int compared = 0;
    int unavailable = 0;
    for (Probe p : probes) {
      String key = p.truthName();
      List<GroundTruth> calls =
          run.truth().calls().stream()
              .filter(t -> key.equals(t.signature() != null ? t.signature() : t.fn()))
              .toList();
      List<Hit> entries = run.hits(key, "entry");
      List<Hit> exits = run.hits(key, "exit");
      assertTrue(!calls.isEmpty(), "the target made no call of " + key);
      String sequence =
          run.trace().stream().filter(t -> t.startsWith(key + " ")).toList() + "\n" + run.gdbLog();
      assertEquals(calls.size(), entries.size(), key + ": entry hits vs calls: " + sequence);
      assertEquals(calls.size(), exits.size(), key + ": return hits vs calls: " + sequence);
      for (int i = 0; i < calls.size(); i++) {
        TruthComparison cmp = new TruthComparison();
        compareSite(p.plan(), false, entries.get(i).reads(), calls.get(i), cmp, key + " call " + i);
        compareSite(p.plan(), true, exits.get(i).reads(), calls.get(i), cmp, key + " call " + i);
        problems.append(cmp.problems);
        compared += cmp.compared;
        unavailable += cmp.unavailable;
      }
    }
    System.out.printf(
        "%s: %d values compared with the ground truth, %d reported unavailable (XMM),"
            + " %d stack-growth re-entries recognised%n",
        binary, compared, unavailable, run.restarts());
    if (problems.length() > 0)
      fail("plans disagree with the target's ground truth in " + binary + ":" + problems);
    assertTrue(compared >= minCompared, "too few values compared: " + compared);
  }

  private static void compareSite(
      ProbePlan plan,
      boolean atReturn,
      List<ReadResult> reads,
      GroundTruth call,
      TruthComparison cmp,
      String where)
      throws ResolveException {
    int offset = 0;
    for (ValuePlan v : plan.values()) {
      if (v.atReturn() != atReturn) continue;
      List<ReadResult> mine = reads.subList(offset, offset + v.reads().size());
      offset += v.reads().size();
      cmp.compare(
          v.decoder(),
          mine,
          TruthComparison.expected(v.expression(), call),
          where + " " + v.name() + "=" + v.expression());
    }
    assertEquals(offset, reads.size(), where + ": reads at the site");
  }
}
