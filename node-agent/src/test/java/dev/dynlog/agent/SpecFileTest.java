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
import java.io.IOException;
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
        List.of("maxCollectionElements", "maxEventsPerSecond", "maxStringBytes", "sampleRatio"),
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
}
