package dev.dynlog.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.dynlog.agent.SpecFile.SpecException;
import dev.dynlog.api.v1alpha1.Limits;
import dev.dynlog.api.v1alpha1.MetricLabel;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import dev.dynlog.plan.PlanOptions;
import dev.dynlog.recipe.RecipeLimits;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dynlog run -f} accepts exactly the Tracepoint resource's spec: the defaults and every
 * bound are those of the generated CRD ({@code crds/tracepoints.dynlog.dev-v1.yml}, read here as
 * the oracle), and only the target differs.
 */
class SpecFileTest {

  @TempDir Path dir;

  private List<StandaloneTracepoint> read(String yaml) throws Exception {
    Path f = dir.resolve("tp-" + System.nanoTime() + ".yaml");
    Files.writeString(f, yaml);
    return SpecFile.read(f);
  }

  private String error(String yaml) {
    return assertThrows(SpecException.class, () -> read(yaml), yaml).getMessage();
  }

  private static String doc(String specBody) {
    return "apiVersion: dynlog.dev/v1alpha1\nkind: Tracepoint\nmetadata:\n  name: t\nspec:\n"
        + "  target: {pid: 1}\n  function: main.F\n"
        + specBody;
  }

  /** The Tracepoint CRD's spec schema, from the checked-in generated file. */
  static JsonNode crdSpecSchema() throws IOException {
    Path cwd = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path base : List.of(cwd, cwd.getParent())) {
      Path crd = base.resolve("crds/tracepoints.dynlog.dev-v1.yml");
      if (Files.isRegularFile(crd)) {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(crd.toFile());
        return root.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
      }
    }
    throw new IllegalStateException("crds/tracepoints.dynlog.dev-v1.yml not found from " + cwd);
  }

  @Test
  void defaultsAreTheResourcesDefaults() throws Exception {
    StandaloneTracepoint t = read(doc("")).get(0);
    Limits l = t.probe().getLimits();
    assertEquals(Limits.DEFAULT_MAX_EVENTS_PER_SECOND, l.getMaxEventsPerSecond());
    assertEquals(100, l.getMaxEventsPerSecond(), "as the CRD's description says");
    assertEquals(Limits.DEFAULT_MAX_STRING_BYTES, l.getMaxStringBytes());
    assertEquals(Limits.DEFAULT_MAX_COLLECTION_ELEMENTS, l.getMaxCollectionElements());
    assertEquals(1.0, l.getSampleRatio());
    String crdTtl = crdSpecSchema().at("/properties/ttl/default").asText();
    assertEquals("1h", crdTtl);
    assertEquals(Duration.ofHours(1), t.ttl(), "the CRD's default ttl");
    assertEquals("t", t.name());
    assertEquals(1, t.pid());
  }

  @Test
  void collectionAndStringLimitsReachThePlanner() throws Exception {
    ProbeSpec p =
        read(doc("  limits: {maxCollectionElements: 3, maxStringBytes: 40}\n")).get(0).probe();
    PlanOptions o = ProbeSettings.planOptions(p);
    assertEquals(3, o.maxElements());
    assertEquals(40, o.stringCap());
  }

  /**
   * Every numeric bound of limits and metricLabels in the CRD holds here: at the bound yes, past it
   * no.
   */
  @Test
  void everyNumericBoundOfTheCrdHolds() throws Exception {
    JsonNode schema = crdSpecSchema();
    List<String> checked = new ArrayList<>();
    JsonNode limits = schema.at("/properties/limits/properties");
    for (Iterator<Map.Entry<String, JsonNode>> it = limits.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      boolean integer = f.getValue().path("type").asText().equals("integer");
      checkBounds(
          f.getValue(),
          integer,
          v -> doc("  limits: {" + f.getKey() + ": " + v + "}\n"),
          f.getKey());
      checked.add(f.getKey());
    }
    assertEquals(
        List.of(
            "maxCollectionElements",
            "maxCpuPercent",
            "maxEventsPerSecond",
            "maxStringBytes",
            "sampleRatio"),
        checked.stream().sorted().toList());
    JsonNode maxValues = schema.at("/properties/metricLabels/items/properties/maxValues");
    checkBounds(
        maxValues,
        true,
        v ->
            doc(
                "  capture: [{name: u, expr: u}]\n  metricLabels: [{capture: u, maxValues: "
                    + v
                    + "}]\n"),
        "maxValues");
    int maxCaptures = schema.at("/properties/capture/maxItems").asInt();
    assertEquals(16, maxCaptures);
    StringBuilder caps = new StringBuilder("  capture:\n");
    for (int i = 0; i <= maxCaptures; i++) {
      caps.append("    - {name: c").append(i).append(", expr: a}\n");
      if (i == maxCaptures - 1) read(doc(caps.toString()));
    }
    assertTrue(
        error(doc(caps.toString())).contains("at most " + maxCaptures),
        "more captures than maxItems");
  }

  private interface Doc {
    String with(String value);
  }

  private void checkBounds(JsonNode prop, boolean integer, Doc doc, String name) throws Exception {
    if (prop.has("maximum")) {
      double max = prop.get("maximum").asDouble();
      read(doc.with(integer ? String.valueOf((long) max) : String.valueOf(max)));
      String past = integer ? String.valueOf((long) max + 1) : String.valueOf(max + 0.5);
      assertTrue(error(doc.with(past)).contains(name), name + " above " + max);
    }
    if (prop.has("minimum")) {
      double min = prop.get("minimum").asDouble();
      String at = integer ? String.valueOf((long) min) : String.valueOf(min);
      if (prop.path("exclusiveMinimum").asBoolean()) {
        assertTrue(error(doc.with(at)).contains(name), name + " at its exclusive minimum " + min);
        read(doc.with(String.valueOf(min + 0.25)));
      } else {
        read(doc.with(at));
        String below = integer ? String.valueOf((long) min - 1) : String.valueOf(min - 0.5);
        assertTrue(error(doc.with(below)).contains(name), name + " below " + min);
      }
    }
  }

  @Test
  void stringsAbove512BytesAreRefusedWithTheReason() {
    String e = error(doc("  limits: {maxStringBytes: 4096}\n"));
    assertTrue(e.contains("spec.limits.maxStringBytes must be from 1 to 512, not 4096"), e);
  }

  @Test
  void ttlBoundsAreTheResources() throws Exception {
    assertTrue(error(doc("  ttl: 48h\n")).contains("between 5s and 24h"));
    assertTrue(error(doc("  ttl: 1s\n")).contains("between 5s and 24h"));
    assertEquals(Duration.ofMinutes(90), read(doc("  ttl: 1h30m\n")).get(0).ttl());
  }

  @Test
  void unknownFieldsAndWrongTypesNameTheField() {
    String e = error(doc("  limits: {maxEventsPerSecnd: 5}\n"));
    assertTrue(
        e.contains("document 1 (t) spec.limits has an unknown field 'maxEventsPerSecnd'"), e);
    assertTrue(e.contains("maxEventsPerSecond"), "lists the fields: " + e);
    e = error(doc("  latency: yes please\n"));
    assertTrue(e.contains("spec.latency"), e);
    e = error(doc("  limits: {maxEventsPerSecond: \"100\"}\n"));
    assertTrue(e.contains("spec.limits.maxEventsPerSecond"), e);
    e = error(doc("  limits: {maxEventsPerSecond: 1.5}\n"));
    assertTrue(e.contains("spec.limits.maxEventsPerSecond"), e);
    e = error(doc("  functon: x\n"));
    assertTrue(e.contains("spec has an unknown field 'functon'") && e.contains("target"), e);
  }

  @Test
  void theTargetIsAProcessNotPods() {
    String e = error("spec:\n  target: {selector: {matchLabels: {app: a}}}\n  function: main.F\n");
    assertTrue(e.contains("spec.target selects pods"), e);
    e = error("spec:\n  target: {pid: 1, executable: /bin/true}\n  function: main.F\n");
    assertTrue(e.contains("exactly one of pid or executable"), e);
  }

  @Test
  void captureExpressionsUseTheOperatorsGrammar() {
    String e = error(doc("  capture: [{name: x, expr: 'l..Units'}]\n"));
    assertTrue(e.contains("spec.capture[0] (x): expected field name after '.'"), e);
    e = error(doc("  capture: [{name: x, expr: a}, {name: x, expr: b}]\n"));
    assertTrue(e.contains("capture names must be unique"), e);
  }

  @Test
  void metricLabelsMustNameCaptures() throws Exception {
    String e = error(doc("  capture: [{name: u, expr: u}]\n  metricLabels: [{capture: v}]\n"));
    assertTrue(e.contains("'v' is not a capture"), e);
    ProbeSpec p =
        read(doc("  capture: [{name: u, expr: u}]\n  metricLabels: [{capture: u}]\n"))
            .get(0)
            .probe();
    assertEquals(
        List.of(new MetricLabel("u", MetricLabel.DEFAULT_MAX_VALUES)), p.getMetricLabels());
  }

  @Test
  void severalDocumentsAndBareSpecs() throws Exception {
    List<StandaloneTracepoint> all =
        read(doc("") + "---\ntarget: {executable: /bin/true}\nfunction: main.G\n");
    assertEquals(2, all.size());
    assertEquals("main.G", all.get(1).name());
    assertEquals(Path.of("/bin/true"), all.get(1).executable());
    String e = error(doc("") + "---\n" + doc(""));
    assertTrue(e.contains("two tracepoints are named 't'"), e);
    try {
      read("");
      fail("an empty file");
    } catch (SpecException ex) {
      assertTrue(ex.getMessage().contains("no tracepoint"), ex.getMessage());
    }
  }

  // ---- bounded input ----

  private String errorOf(Path f) {
    return assertThrows(SpecException.class, () -> SpecFile.read(f), f.toString()).getMessage();
  }

  @Test
  void onlyRegularFilesAreRead() throws Exception {
    String zero = errorOf(Path.of("/dev/zero"));
    assertEquals(
        "/dev/zero: is not a regular file (a device, pipe or socket); give a YAML file", zero);
    assertTrue(errorOf(Path.of("/dev/urandom")).contains("is not a regular file"));
    assertEquals(dir + ": is a directory, not a spec file", errorOf(dir));
    assertEquals(dir.resolve("nope.yaml") + ": no such file", errorOf(dir.resolve("nope.yaml")));
    Path real = dir.resolve("real.yaml");
    Files.writeString(real, doc(""));
    Path link = Files.createSymbolicLink(dir.resolve("link.yaml"), real);
    assertEquals(1, SpecFile.read(link).size(), "a symbolic link to a regular file is fine");
  }

  @Test
  void filesAboveOneMebibyteAreRefusedUnread() throws Exception {
    String body = doc("");
    Path exact = dir.resolve("exact.yaml");
    Files.writeString(
        exact, body + "#" + "x".repeat(SpecFile.MAX_FILE_BYTES - body.length() - 2) + "\n");
    assertEquals(SpecFile.MAX_FILE_BYTES, Files.size(exact));
    assertEquals(1, SpecFile.read(exact).size(), "exactly 1 MiB is fine");
    Path big = dir.resolve("big.yaml");
    try (var f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(8L << 30); // 8 GiB, sparse: reading it would take long and all memory
    }
    long t0 = System.nanoTime();
    assertEquals(
        big + ": is 8589934592 bytes; a spec file may have at most 1048576 bytes (1 MiB)",
        errorOf(big));
    assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "refused without reading it");
  }

  @Test
  void atMostAsManyTracepointsAsTheTracerHasProbeIds() throws Exception {
    assertEquals(RecipeLimits.MAX_PROBES, SpecFile.MAX_TRACEPOINTS);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < SpecFile.MAX_TRACEPOINTS; i++) {
      sb.append("---\nmetadata: {name: t").append(i).append("}\n");
      sb.append("spec: {target: {pid: 1}, function: main.F}\n");
    }
    assertEquals(512, read(sb.toString()).size());
    sb.append("---\nmetadata: {name: last}\nspec: {target: {pid: 1}, function: main.F}\n");
    String e = error(sb.toString());
    assertTrue(
        e.endsWith(
            ": more than 512 tracepoints (the next one is document 513 at line 1538);"
                + " dynlog runs at most 512 at a time: split the file"),
        e);
  }

  @Test
  void atMostAThousandDocuments() throws Exception {
    String e = error(doc("") + "---\n".repeat(SpecFile.MAX_DOCUMENTS + 5));
    assertTrue(e.contains(": more than 1024 YAML documents (document 1025 starts at line"), e);
    assertEquals(1, read(doc("") + "---\n".repeat(SpecFile.MAX_DOCUMENTS - 2)).size());
  }

  @Test
  void malformedYamlSaysLineAndColumn() {
    String e = error("spec:\n  function: a\n  capture: b: c\n");
    assertTrue(
        e.endsWith(": not valid YAML at line 3, column 13: mapping values are not allowed here"),
        e);
    e = error("spec:\n  function: 'main.F\n");
    assertTrue(
        e.endsWith(
            ": not valid YAML at line 3, column 1: found unexpected end of stream"
                + " (while scanning a quoted scalar at line 2, column 13)"),
        e);
    e = error("spec:\n  function: main.F\n  function: main.G\n");
    assertTrue(e.contains(": not valid YAML at line 3, column "), e);
    assertTrue(e.endsWith("Duplicate field 'function'"), e);
    e = error("spec:\n\tfunction: main.F\n");
    assertTrue(e.contains(": not valid YAML at line 2, column 1: found character '\\t(TAB)'"), e);
  }

  @Test
  void bytesThatAreNotUtf8SayWhere() throws Exception {
    Path f = dir.resolve("latin1.yaml");
    Files.write(f, "spec:\n  function: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    assertTrue(
        errorOf(f).endsWith(": is not UTF-8 text: byte 0xe9 at line 2, column 16"), errorOf(f));
    Files.write(
        f, ("\uFEFF" + doc("")).getBytes(StandardCharsets.UTF_8)); // a byte-order mark is fine
    assertEquals(1, SpecFile.read(f).size());
  }

  @Test
  void deepNestingIsRefusedNotFollowed() throws Exception {
    String e = error("spec: " + "[".repeat(5_000) + "]".repeat(5_000) + "\n");
    assertTrue(
        e.endsWith(": not valid YAML at line 1: mappings and lists nested deeper than 64 levels"),
        e);
    StringBuilder block = new StringBuilder("spec:\n");
    for (int i = 1; i < 200; i++) block.append("  ".repeat(i)).append("k").append(i).append(":\n");
    e = error(block.toString());
    assertTrue(e.contains("nested deeper than 64 levels"), e);
  }

  /** Each field has one length limit whatever the input's size, and nothing huge is echoed. */
  @Test
  void longStringsAreRefusedWithoutEchoingThem() {
    String huge = "a".repeat(10_000);
    List<String[]> cases =
        List.of(
            new String[] {
              doc("  capture: [{name: " + huge + ", expr: a}]\n"),
              "document 1 spec.capture[0].name is 10000 characters long; at most 63"
            },
            new String[] {
              doc("  capture: [{name: x, expr: " + huge + "}]\n"),
              "document 1 spec.capture[0].expr is 10000 characters long; at most 256"
            },
            new String[] {
              doc("  capture: [{name: x, expr: " + "b".repeat(300) + "}]\n"),
              "document 1 spec.capture[0].expr is 300 characters long; at most 256"
            },
            new String[] {
              doc("  ttl: " + "1s".repeat(5_000) + "\n"),
              "document 1 spec.ttl is 10000 characters long; at most 32"
            },
            new String[] {
              "metadata: {name: " + huge + "}\nspec: {target: {pid: 1}, function: main.F}\n",
              "document 1 metadata.name is 10000 characters long; at most 253"
            },
            new String[] {
              "spec: {target: {executable: /" + huge + "}, function: main.F}\n",
              "document 1 spec.target.executable is 10001 characters long; at most 4096"
            },
            new String[] {
              doc("  function2: x\n").replace("function2", "f".repeat(300)),
              "document 1 spec has a field name of 300 characters: 'ffffffffff"
            },
            new String[] {
              "kind: " + "k".repeat(100) + "\nspec: {target: {pid: 1}, function: main.F}\n",
              "document 1 kind is '" + "k".repeat(60) + "…' (100 characters), expected Tracepoint"
            });
    for (String[] c : cases) {
      String e = error(c[0]);
      assertTrue(e.contains(c[1]), "expected '" + c[1] + "' in: " + e);
      assertTrue(e.length() < 300, "a short line, not the input: " + e.length() + " chars");
    }
  }

  @Test
  void anExecutableWithANulCharacterIsNotAPath() {
    String e = error("spec: {target: {executable: \"/bin/\\0true\"}, function: main.F}\n");
    assertTrue(
        e.endsWith("document 1 spec.target.executable is not a path: Nul character not allowed"),
        e);
  }

  @Test
  void manyProblemsAreCountedNotListed() {
    StringBuilder caps = new StringBuilder("  capture:\n");
    for (int i = 0; i < 10; i++)
      caps.append("    - {name: c").append(i).append(", expr: 'a..b'}\n");
    String e = error(doc(caps.toString()));
    assertEquals(3, e.split("expected field name").length - 1, e);
    assertTrue(e.endsWith("; and 7 more problems"), e);
  }

  @Test
  void yamlAliasesAreRefusedNotMisread() {
    String e = error(doc("  capture: [{name: &n user, expr: *n}]\n"));
    assertTrue(
        e.contains("line 8, column 35") && e.contains("YAML aliases (*name) are not supported"), e);
  }
}
