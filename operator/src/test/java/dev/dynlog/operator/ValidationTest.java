package dev.dynlog.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.Limits;
import dev.dynlog.api.v1alpha1.Phase;
import dev.dynlog.api.v1alpha1.Tracepoint;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.api.v1alpha1.TracepointAssignmentSpec;
import dev.dynlog.api.v1alpha1.TracepointAssignmentStatus;
import dev.dynlog.api.v1alpha1.TracepointSpec;
import dev.dynlog.api.v1alpha1.TracepointStatus;
import dev.dynlog.api.v1alpha1.Ttl;
import dev.dynlog.operator.reconcile.SpecValidator;
import dev.dynlog.operator.testing.ApiServerTest;
import dev.dynlog.operator.testing.Await;
import dev.dynlog.operator.testing.Fixtures;
import dev.dynlog.operator.testing.TestApiServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Invalid specs: the API server rejects what the CRD schema and its CEL rules can see; the operator
 * reports the rest (expression syntax, regular expressions) in status and as Events. Also checks
 * what {@code kubectl} shows (printer columns, {@code kubectl explain}).
 */
@Tag("apiserver")
@ApiServerTest(identity = "validation", lease = "validation-lease")
class ValidationTest {

  @ApiServerTest.Inject private static KubernetesClient client;
  @ApiServerTest.Inject private static Fixtures fx;
  private static String ns;

  @BeforeAll
  static void namespace() {
    ns = fx.namespace("valid");
  }

  @Test
  void apiServerRejectsSchemaAndCelViolations() {
    rejected(
        "dup",
        t -> t.getSpec().setCapture(List.of(new Capture("x", "a"), new Capture("x", "b"))),
        "capture names must be unique");
    rejected(
        "ident",
        t -> t.getSpec().setCapture(List.of(new Capture("1st", "a"))),
        "capture name must be an identifier");
    rejected("short-ttl", t -> t.getSpec().setTtl("2s"), "ttl must be between 5s and 24h");
    rejected("long-ttl", t -> t.getSpec().setTtl("25h"), "ttl must be between 5s and 24h");
    rejected("bad-ttl", t -> t.getSpec().setTtl("5 minutes"), "spec.ttl");
    rejected("no-function", t -> t.getSpec().setFunction(null), "spec.function: Required value");
    rejected(
        "empty-selector",
        t -> t.getSpec().getTarget().setSelector(new LabelSelector()),
        "selector must select by at least one label");
    rejected(
        "bad-container",
        t -> t.getSpec().getTarget().setContainer("Bad_Name"),
        "spec.target.container");
    rejected(
        "zero-rate",
        t -> t.getSpec().setLimits(new Limits(0, null, null)),
        "spec.limits.maxEventsPerSecond");
    rejected(
        "many-captures",
        t ->
            t.getSpec()
                .setCapture(
                    new ArrayList<>(
                        IntStream.range(0, 17).mapToObj(i -> new Capture("c" + i, "x")).toList())),
        "must have at most 16 items");
    rejected("a".repeat(64), t -> {}, "at most 63 characters");
  }

  @Test
  void syntaxErrorsAreReportedInStatusAndEventsAndFixing() {
    fx.node("val-a");
    fx.runningPod(ns, "v-1", "val-a", Map.of("app", "v"));
    Tracepoint tp = Fixtures.tracepoint(ns, "typo", "v");
    tp.getSpec().setCapture(List.of(new Capture("ok", "req.Id"), new Capture("bad", "a..b")));
    fx.create(tp);

    Tracepoint invalid = fx.awaitPhase(ns, "typo", Phase.Invalid);
    var valid = Fixtures.condition(invalid, "Valid");
    assertEquals("False", valid.getStatus());
    assertEquals(SpecValidator.INVALID_CAPTURE_EXPRESSION, valid.getReason());
    assertEquals(
        "spec.capture[1] (bad): expected field name after '.' but found '.' at column 3"
            + " of 'a..b'",
        valid.getMessage());
    Event event = fx.awaitEvent(ns, "typo", SpecValidator.INVALID_CAPTURE_EXPRESSION);
    assertEquals("Warning", event.getType());
    assertEquals(valid.getMessage(), event.getMessage());
    assertEquals(List.of(), fx.assignments(ns, "typo"), "nothing is sent to agents");

    Tracepoint fixed = fx.get(ns, "typo");
    fixed.getSpec().getCapture().get(1).setExpr("a.b");
    client.resource(fixed).update();
    Tracepoint ok = fx.awaitPhase(ns, "typo", Phase.Pending);
    assertEquals("True", Fixtures.condition(ok, "Valid").getStatus());
    Await.until(
        "assignment after fix",
        Duration.ofSeconds(20),
        () -> fx.assignments(ns, "typo"),
        l -> l.size() == 1);
  }

  @Test
  void badProcessNameRegexIsReported() {
    Tracepoint tp = Fixtures.tracepoint(ns, "regex", "v");
    tp.getSpec().getTarget().setProcessName("server([");
    fx.create(tp);
    Tracepoint invalid = fx.awaitPhase(ns, "regex", Phase.Invalid);
    var valid = Fixtures.condition(invalid, "Valid");
    assertEquals(SpecValidator.INVALID_PROCESS_NAME, valid.getReason());
    assertTrue(
        valid
            .getMessage()
            .startsWith("spec.target.processName 'server([' is not a valid regular expression"),
        valid.getMessage());
  }

  @Test
  void kubectlShowsColumnsAndExplainsFields() {
    fx.create(Fixtures.tracepoint(ns, "shown", "nomatch"));
    fx.awaitPhase(ns, "shown", Phase.NoTargets);
    String table = TestApiServer.get().kubectl("get", "tracepoints", "-n", ns, "shown");
    String header = table.lines().findFirst().orElseThrow();
    assertTrue(header.matches("NAME\\s+PHASE\\s+ATTACHED\\s+EXPIRES\\s+AGE\\s*"), header);
    assertTrue(table.contains("NoTargets"), table);
    String explain = TestApiServer.get().kubectl("explain", "tracepoint.spec.capture");
    assertTrue(explain.contains("Values to capture at each call"), explain);
    assertTrue(explain.contains("expr"), explain);
    String ttl = TestApiServer.get().kubectl("explain", "tracepoint.spec.ttl");
    assertTrue(ttl.contains("Between 5s and 24h"), ttl);
  }

  /**
   * A ttl too large for a CEL duration used to fail with "type conversion error ... to
   * 'google.protobuf.Duration'": now the rule reports the bounds, through a real kubectl apply.
   */
  @Test
  void hugeTtlIsRejectedWithTheBounds() {
    TestApiServer.Outcome applied =
        TestApiServer.get()
            .kubectlOutcome(
                tracepointYaml("huge-ttl", "99999999999h"), "apply", "-f", "-", "-n", ns);
    assertTrue(applied.exitCode() != 0, applied.output());
    assertTrue(applied.output().contains("ttl must be between 5s and 24h"), applied.output());
    assertFalse(applied.output().contains("type conversion"), applied.output());
    assertEquals(1, applied.output().strip().lines().count(), applied.output());
  }

  /** The example the README applies is accepted by the API server as it is (server dry run). */
  @Test
  void theExampleTracepointIsValid() throws Exception {
    Path example =
        Path.of(System.getProperty("dynlog.repo.dir", "..")).resolve("examples/tracepoint.yaml");
    String yaml = Files.readString(example).replace("namespace: shop", "namespace: " + ns);
    TestApiServer.Outcome applied =
        TestApiServer.get().kubectlOutcome(yaml, "apply", "--dry-run=server", "-f", "-");
    assertEquals(0, applied.exitCode(), applied.output());
    assertTrue(
        applied.output().contains("tracepoint.dynlog.dev/checkout-sum created"), applied.output());
  }

  /** The API server (schema + CEL) and {@code Ttl.parse} (operator, dynlog run) agree. */
  @Test
  void apiServerAndTtlParseAgree() {
    List<String> texts =
        List.of(
            "5s",
            "4999ms",
            "24h",
            "24h1ms",
            "86400000ms",
            "86400001ms",
            "086400s",
            "1440m",
            "1441m",
            "23h59m59s999ms",
            "1h30m",
            "99999999999h",
            "9223372036854775807s",
            "999999999ms",
            "99999m99999m",
            "0".repeat(30) + "1h",
            "0".repeat(31) + "1h",
            "5 minutes",
            "1d",
            "-5m");
    List<String> disagreements = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      Tracepoint tp = Fixtures.tracepoint(ns, "ttl-" + i, "v");
      tp.getSpec().setTtl(text);
      String server;
      try {
        client.resource(tp).dryRun().create();
        server = "accepted";
      } catch (KubernetesClientException e) {
        assertEquals(422, e.getCode(), e.getMessage());
        assertFalse(e.getMessage().contains("type conversion"), text + ": " + e.getMessage());
        server = "rejected";
      }
      String parse;
      try {
        Ttl.parse(text);
        parse = "accepted";
      } catch (IllegalArgumentException e) {
        parse = "rejected";
      }
      if (!server.equals(parse)) {
        disagreements.add(text + ": API server " + server + ", Ttl.parse " + parse);
      }
    }
    assertEquals(List.of(), disagreements);
  }

  /** kubectl explain shows the descriptions of both kinds, their spec and their status. */
  @Test
  void kubectlExplainDescribesKindsSpecsAndStatuses() {
    Map<String, Class<?>> described =
        Map.of(
            "tracepoint", Tracepoint.class,
            "tracepoint.spec", TracepointSpec.class,
            "tracepoint.status", TracepointStatus.class,
            "tracepointassignment", TracepointAssignment.class,
            "tracepointassignment.spec", TracepointAssignmentSpec.class,
            "tracepointassignment.status", TracepointAssignmentStatus.class);
    described.forEach(
        (path, type) -> {
          String explain = TestApiServer.get().kubectl("explain", path).replaceAll("\\s+", " ");
          String description = type.getAnnotation(JsonClassDescription.class).value();
          assertTrue(explain.contains("DESCRIPTION: " + description), path + ": " + explain);
        });
  }

  private static String tracepointYaml(String name, String ttl) {
    return String.join(
        "\n",
        "apiVersion: dynlog.dev/v1alpha1",
        "kind: Tracepoint",
        "metadata: {name: " + name + "}",
        "spec:",
        "  target: {selector: {matchLabels: {app: v}}}",
        "  function: main.f",
        "  ttl: \"" + ttl + "\"",
        "");
  }

  private static void rejected(String name, Consumer<Tracepoint> breakIt, String expected) {
    Tracepoint tp = Fixtures.tracepoint(ns, name, "v");
    breakIt.accept(tp);
    KubernetesClientException e =
        assertThrows(
            KubernetesClientException.class,
            () -> client.resource(tp).create(),
            name + " must be rejected");
    assertEquals(422, e.getCode(), e.getMessage());
    assertTrue(e.getMessage().contains(expected), name + ": " + e.getMessage());
  }
}
