package dev.dynlog.plan;

import static dev.dynlog.abi.TestTypes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.abi.CallingConvention;
import dev.dynlog.api.redact.Redaction;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.types.Type;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Captures and fields whose names match the redaction list are planned without reads. */
class RedactionPlanTest {

  private static final Type CREDS =
      struct("shop.Creds", "User", goString(), "Token", goString(), "Tries", i64());
  private static final Function LOGIN =
      goFunc(
          "shop.Login",
          arg("password", goString()),
          arg("c", CREDS),
          arg("n", i64()),
          res("~r0", i64()));

  private static ValuePlan plan(String name, String expr, PlanOptions options)
      throws ResolveException {
    ValuePlanner p = new ValuePlanner(LOGIN, CallingConvention.of(LOGIN).layout(LOGIN), options);
    return p.plan(new Capture(name, expr), new ValuePlanner.Budget(options.maxReadsPerProbe()));
  }

  private static ValuePlan plan(String name, String expr) throws ResolveException {
    return plan(name, expr, PlanOptions.defaults());
  }

  @Test
  void aRedactedParameterHasNoReads() throws Exception {
    ValuePlan v = plan("p", "password");
    assertEquals(List.of(), v.reads());
    String rule = "redacted: parameter `password` matches the redaction list (password)";
    assertEquals(new Decoder.Redacted(rule), v.decoder());
    assertEquals(List.of(new ValuePlan.Redacted("p", rule)), v.redacted());
    assertEquals(rule, v.redactionNote());
    assertEquals("string", v.typeName());
  }

  @Test
  void anyNameOnTheWayRedactsTheWholeCapture() throws Exception {
    ValuePlan field = plan("t", "c.Token");
    assertEquals(List.of(), field.reads());
    assertEquals(
        "redacted: field `Token` matches the redaction list (token)", field.redactionNote());
    ValuePlan len = plan("n", "len(password)");
    assertEquals(List.of(), len.reads());
    ValuePlan named = plan("session_id", "n");
    assertEquals(List.of(), named.reads());
    assertEquals(
        "redacted: capture name `session_id` matches the redaction list (sessionid)",
        named.redactionNote());
  }

  @Test
  void aStructShowsItsOtherFieldsAndReadsNotTheRedactedOne() throws Exception {
    ValuePlan v = plan("login", "c");
    Decoder.Struct s = assertInstanceOf(Decoder.Struct.class, v.decoder());
    assertEquals(List.of("User", "Token", "Tries"), s.names());
    assertInstanceOf(Decoder.Text.class, s.fields().get(0));
    assertEquals(
        new Decoder.Redacted("redacted: field `Token` matches the redaction list (token)"),
        s.fields().get(1));
    assertInstanceOf(Decoder.SignedInt.class, s.fields().get(2));
    assertEquals(2, v.reads().size(), "User and Tries only");
    ValuePlan plain = plan("login", "c", PlanOptions.defaults().withRedaction(Redaction.none()));
    assertEquals(3, plain.reads().size());
    assertEquals(
        List.of(
            new ValuePlan.Redacted(
                "login.Token", "redacted: field `Token` matches the redaction list (token)")),
        v.redacted());
  }

  @Test
  void ordinaryCapturesAndNoRedactionAreUnchanged() throws Exception {
    ValuePlan n = plan("n", "n");
    assertEquals(1, n.reads().size());
    assertTrue(n.redacted().isEmpty());
    ValuePlan p = plan("p", "password", PlanOptions.defaults().withRedaction(Redaction.none()));
    assertEquals(1, p.reads().size());
    assertTrue(p.redacted().isEmpty());
  }

  @Test
  void aNamedGoResultIsRedactedWhenCapturedByPosition() throws Exception {
    Function issue =
        goFunc("shop.Issue", arg("user", goString()), res("token", goString()), res("~r1", i64()));
    ValuePlanner p = new ValuePlanner(issue, CallingConvention.of(issue).layout(issue), OPTIONS);
    ValuePlan v = p.plan(new Capture("r", "$0"), new ValuePlanner.Budget(16));
    assertEquals(List.of(), v.reads());
    assertEquals("redacted: result `token` matches the redaction list (token)", v.redactionNote());
    assertEquals(1, p.plan(new Capture("r", "$1"), new ValuePlanner.Budget(16)).reads().size());
  }

  private static final PlanOptions OPTIONS = PlanOptions.defaults();

  @Test
  void aWrongNameIsStillAnErrorWhenRedacted() {
    ResolveException e = assertThrows(ResolveException.class, () -> plan("t", "c.NoSuchToken"));
    assertTrue(e.getMessage().contains("no field `NoSuchToken`"), e.getMessage());
  }
}
