package dev.dynlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.testing.CppVariant;
import dev.dynlog.testing.GoVariant;
import dev.dynlog.testing.Targets;
import dev.dynlog.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code dynlog inspect} on real target binaries: the JSON document's keys, parameters in
 * declaration order with their ABI locations, and entry and RET addresses as {@code objdump -d} and
 * {@code nm} show them.
 */
@Tag("toolchain")
class InspectCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern INSN = Pattern.compile("^\\s*([0-9a-f]+):\\s+(.*)$");
  private static final Pattern RET =
      Pattern.compile("^((rep[a-z]*|bnd|notrack)\\s+)?ret[a-z]*(\\s.*)?$");

  record Result(int exit, String out, String err) {}

  static Result inspect(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      String[] all = new String[args.length + 1];
      all[0] = "inspect";
      System.arraycopy(args, 0, all, 1, args.length);
      int code = Main.run(all);
      return new Result(
          code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  static List<GoVariant> goVariants() {
    GoVariant newest = new GoVariant(Targets.GO_VERSIONS.get(Targets.GO_VERSIONS.size() - 1), true);
    GoVariant oldest = new GoVariant(Targets.GO_VERSIONS.get(0), false);
    return List.of(newest, oldest);
  }

  static List<CppVariant> cppVariants() {
    return Targets.cppVariants();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goVariants")
  void goJsonAgreesWithObjdumpAndTheAbi(GoVariant variant) throws Exception {
    Path bin = Targets.build(variant);
    String fn = "dynlog.dev/targets/shop.(*Service).Login";
    Result r =
        inspect(
            bin.toString(), fn, "--output", "json", "--expr", "user=username", "--expr", "err=$1");
    assertEquals(0, r.exit(), r.err());
    JsonNode doc = JSON.readTree(r.out());
    for (String key :
        List.of(
            "entry_address", "ret_addresses", "parameters", "results", "captures", "go_runtime")) {
      assertTrue(doc.has(key), "missing " + key + " in " + doc);
    }
    assertEquals(List.of("s", "username"), names(doc.get("parameters")));
    assertEquals("string", doc.get("parameters").get(1).get("type").asText());
    assertEquals("RBX,RCX", doc.get("parameters").get(1).get("location").asText());
    assertEquals(
        "RAX",
        doc.get("parameters").get(0).get("location").asText(),
        "the receiver comes first, in RAX");
    assertEquals(List.of("~r0", "~r1"), names(doc.get("results")));
    assertEquals("bool", doc.get("results").get(0).get("type").asText());
    assertEquals("RAX/1", doc.get("results").get(0).get("location").asText());
    assertEquals("RBX,RCX", doc.get("results").get(1).get("location").asText());
    assertEquals("return", doc.get("captures").get(1).get("at").asText());
    assertEquals("GoError", doc.get("captures").get(1).get("decoder").get("kind").asText());
    assertAddressesMatchObjdump(bin, fn, doc);
    Map<String, Long> g = memberOffsets(bin, "runtime.g");
    JsonNode rt = doc.get("go_runtime");
    assertEquals((long) g.get("goid"), rt.get("goid_offset").asLong());
    assertEquals(
        g.get("stack") + memberOffsets(bin, "runtime.stack").get("hi"),
        rt.get("stack_hi_offset").asLong());
    assertEquals(
        g.get("sched") + memberOffsets(bin, "runtime.gobuf").get("pc"),
        rt.get("sched_pc_offset").asLong());
  }

  /** Member offsets of a struct as llvm-dwarfdump prints them. */
  private static Map<String, Long> memberOffsets(Path bin, String struct) {
    String dump =
        Tools.run(
            "llvm-dwarfdump",
            List.of(
                Tools.find("llvm-dwarfdump", "llvm-dwarfdump-14").toString(),
                "--name=" + struct,
                "-c",
                bin.toString()),
            null,
            Map.of(),
            Duration.ofMinutes(1));
    Map<String, Long> out = new HashMap<>();
    boolean inStruct = false;
    String member = null;
    for (String line : dump.split("\n")) {
      if (line.contains("DW_TAG_structure_type")) inStruct = true;
      else if (line.contains("DW_TAG_typedef")) inStruct = false;
      else if (inStruct
          && line.contains("DW_AT_name")
          && line.contains("(\"")
          && !line.contains("\"" + struct + "\"")) {
        member = line.substring(line.indexOf("(\"") + 2, line.lastIndexOf('"'));
      } else if (inStruct && member != null && line.contains("DW_AT_data_member_location")) {
        out.putIfAbsent(
            member,
            Long.parseLong(line.substring(line.indexOf('(') + 1, line.indexOf(')')).trim()));
        member = null;
      }
    }
    assertFalse(out.isEmpty(), "llvm-dwarfdump shows no members of " + struct);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cppVariants")
  void cppJsonAgreesWithObjdumpAndTheAbi(CppVariant variant) throws Exception {
    Path bin = Targets.build(variant);
    Result r = inspect(bin.toString(), "shop::Cart::describe", "-o", "json", "--expr", "p=prefix");
    assertEquals(0, r.exit(), r.err());
    JsonNode doc = JSON.readTree(r.out());
    assertEquals(List.of("this", "prefix"), names(doc.get("parameters")));
    assertEquals(
        "RSI",
        doc.get("parameters").get(0).get("location").asText(),
        "RDI carries the hidden sret pointer");
    assertEquals("RDX", doc.get("parameters").get(1).get("location").asText());
    assertTrue(
        doc.get("results").get(0).get("location").asText().startsWith("*RAX"),
        doc.get("results").toString());
    assertEquals("STD_STRING", doc.get("captures").get(0).get("reads").get(0).get("kind").asText());
    assertAddressesMatchObjdump(bin, doc.get("linkage_name").asText(), doc);

    Result money = inspect(bin.toString(), "shop::addMoney", "-o", "json");
    JsonNode m = JSON.readTree(money.out());
    assertEquals(
        "RDI,RSI",
        m.get("parameters").get(0).get("location").asText(),
        "16 bytes with padding: two INTEGER eightbytes");
    assertEquals("RDX,RCX", m.get("parameters").get(1).get("location").asText());
    assertEquals("RAX,RDX", m.get("results").get(0).get("location").asText());
    assertAddressesMatchObjdump(bin, m.get("linkage_name").asText(), m);
  }

  @Test
  void textOutputListsSignatureLocationsAndPlans() {
    Path bin = Targets.build(goVariants().get(0));
    Result r = inspect(bin.toString(), "dynlog.dev/targets/shop.Sum", "--expr", "units=l.Units");
    assertEquals(0, r.exit(), r.err());
    assertTrue(
        r.out()
            .startsWith(
                "func dynlog.dev/targets/shop.Sum(l dynlog.dev/targets/pb.Money, r dynlog.dev/targets/pb.Money)"
                    + " (dynlog.dev/targets/pb.Money, error)"),
        r.out());
    assertTrue(r.out().contains("RAX,RBX,RCX,RDI/4"), r.out());
    assertTrue(r.out().contains("units = l.Units  (int64, at entry, RCX)"), r.out());
  }

  @Test
  void anIndexPlanShowsTheLengthReadItIsCheckedAgainst() throws Exception {
    Path bin = Targets.build(goVariants().get(0));
    // xs []int is R8 (data), R9 (len), R10 (cap) at entry, as the parameters' locations say
    Result r = inspect(bin.toString(), "dynlog.dev/targets/abi.Strs", "--expr", "x=xs[3]");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("    xs  []int    R8,R9,R10\n"), r.out());
    assertTrue(
        r.out()
            .contains(
                "    x = xs[3]  (int, at entry, *(R8+24))\n"
                    + "      read 0: [R9] 8B\n"
                    + "      read 1: [[R8]+24] 8B\n"
                    + "      decode: Indexed[length=0, index=3, element=SignedInt[read=1,"
                    + " width=8]]\n"),
        r.out());
    Result j =
        inspect(bin.toString(), "dynlog.dev/targets/abi.Strs", "-o", "json", "--expr", "x=xs[3]");
    assertEquals(0, j.exit(), j.err());
    JsonNode x = JSON.readTree(j.out()).get("captures").get(0);
    assertEquals("[R9] 8B", x.get("reads").get(0).get("text").asText());
    assertEquals(
        JSON.readTree(
            "{\"kind\":\"Indexed\",\"length\":0,\"index\":3,"
                + "\"element\":{\"kind\":\"SignedInt\",\"read\":1,\"width\":8}}"),
        x.get("decoder"));
  }

  @Test
  void anArrayIndexPastItsBoundIsRefusedNamingTheTypeAndTheBound() {
    Path go = Targets.build(goVariants().get(0));
    Result two = inspect(go.toString(), "dynlog.dev/targets/abi.Arrays", "--expr", "t=two[2]");
    assertEquals(1, two.exit());
    assertEquals(1, two.err().lines().count(), two.err());
    assertTrue(
        two.err().contains("index 2 out of range for `two` of type `[2]int64` (len 2)"), two.err());
    Path cpp = Targets.build(cppVariants().get(0));
    Result label = inspect(cpp.toString(), "shop::tagId", "--expr", "c=t.label[16]");
    assertEquals(1, label.exit());
    assertEquals(1, label.err().lines().count(), label.err());
    assertTrue(
        label.err().contains("index 16 out of range for `t.label` of type `char[16]` (len 16)"),
        label.err());
    Result last = inspect(cpp.toString(), "shop::tagId", "--expr", "c=t.label[15]");
    assertEquals(0, last.exit(), last.err());
  }

  @Test
  void listingFiltersBySubstringAndRegex() throws Exception {
    Path bin = Targets.build(goVariants().get(0));
    Result sub = inspect(bin.toString(), "--filter", "shop.(*Service)");
    assertEquals(0, sub.exit(), sub.err());
    List<String> lines = sub.out().lines().toList();
    assertTrue(lines.contains("dynlog.dev/targets/shop.(*Service).Login"), sub.out());
    assertTrue(lines.stream().allMatch(l -> l.contains("shop.(*Service)")), sub.out());
    Result re =
        inspect(bin.toString(), "--regex", "^dynlog\\.dev/targets/abi\\.Max\\[", "-o", "json");
    assertEquals(
        List.of(
            "dynlog.dev/targets/abi.Max[go.shape.int]",
            "dynlog.dev/targets/abi.Max[go.shape.string]"),
        names(JSON.readTree(re.out()).get("functions")));
  }

  @Test
  void errorsAreOneClearLineAndNonZeroExit() {
    Path bin = Targets.build(goVariants().get(0));
    Result unknown = inspect(bin.toString(), "dynlog.dev/targets/shop.Logn");
    assertEquals(1, unknown.exit());
    assertEquals(1, unknown.err().lines().count(), unknown.err());
    assertTrue(
        unknown.err().contains("dynlog.dev/targets/shop.(*Service).Login"),
        "suggests the closest name: " + unknown.err());

    Result field = inspect(bin.toString(), "dynlog.dev/targets/shop.Sum", "--expr", "u=l.Unit");
    assertEquals(1, field.exit());
    assertTrue(
        field
            .err()
            .contains(
                "no field `Unit` in `dynlog.dev/targets/pb.Money`; fields are CurrencyCode, Units, Nanos"),
        field.err());

    Result param =
        inspect(bin.toString(), "dynlog.dev/targets/shop.(*Service).Login", "--expr", "u=usr");
    assertEquals(1, param.exit());
    assertTrue(
        param
            .err()
            .contains(
                "unknown parameter `usr` of dynlog.dev/targets/shop.(*Service).Login; parameters are s, username"),
        param.err());

    Result regex = inspect(bin.toString(), "--regex", "([");
    assertEquals(1, regex.exit());
    assertTrue(regex.err().contains("--regex"), regex.err());

    Result missing = inspect("/nonexistent/binary");
    assertEquals(1, missing.exit());
    assertTrue(missing.err().contains("/nonexistent/binary"), missing.err());
    assertFalse(missing.err().contains("Exception"), missing.err());
  }

  private static List<String> names(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) out.add(n.isTextual() ? n.asText() : n.get("name").asText());
    return out;
  }

  /**
   * entry_address is the symbol's address per nm; ret_addresses are exactly objdump's RETs over all
   * ranges.
   */
  private static void assertAddressesMatchObjdump(Path bin, String symbol, JsonNode doc) {
    String nm =
        Tools.run(
            "nm",
            List.of(Tools.find("nm").toString(), "--defined-only", bin.toString()),
            null,
            Map.of(),
            Duration.ofMinutes(1));
    long symbolAddress = -1;
    for (String line : nm.split("\n")) {
      String[] cols = line.trim().split("\\s+", 3);
      if (cols.length == 3
          && cols[2].equals(symbol)
          && (cols[1].equals("T") || cols[1].equals("t"))) {
        symbolAddress = Long.parseUnsignedLong(cols[0], 16);
      }
    }
    assertTrue(symbolAddress > 0, "nm has no text symbol " + symbol);
    assertEquals("0x" + Long.toHexString(symbolAddress), doc.get("entry_address").asText());
    List<String> rets = new ArrayList<>();
    for (JsonNode range : doc.get("ranges")) {
      String listing =
          Tools.run(
              "objdump",
              List.of(
                  Tools.find("objdump").toString(),
                  "-d",
                  "--no-show-raw-insn",
                  "--start-address=" + range.get(0).asText(),
                  "--stop-address=" + range.get(1).asText(),
                  bin.toString()),
              null,
              Map.of(),
              Duration.ofMinutes(1));
      for (String line : listing.split("\n")) {
        Matcher m = INSN.matcher(line);
        if (m.matches() && RET.matcher(m.group(2).trim()).matches()) rets.add("0x" + m.group(1));
      }
    }
    assertFalse(rets.isEmpty(), "objdump shows no ret in " + symbol);
    List<String> ours = new ArrayList<>();
    doc.get("ret_addresses").forEach(n -> ours.add(n.asText()));
    assertEquals(
        rets.stream().sorted().toList(), ours.stream().sorted().toList(), "RETs of " + symbol);
  }
}
