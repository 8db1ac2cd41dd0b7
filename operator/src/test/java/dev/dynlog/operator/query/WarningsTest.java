package dev.dynlog.operator.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WarningsTest {

  @Test
  void headerEscapesQuotesAndKeepsToPrintableAscii() {
    assertEquals(
        "299 - \"node node-b: agent http://10.0.0.2:9464 did not answer within 5s\"",
        Warnings.header(
            Warnings.node("node-b", "agent http://10.0.0.2:9464 did not answer within 5s")));
    assertEquals("299 - \"say \\\"hi\\\" \\\\ ??x\"", Warnings.header("say \"hi\" \\ \n\u00e9x"));
  }

  @Test
  void lineIsOneJsonObject() {
    assertEquals(
        "{\"warning\":\"node a: \\\"x\\\"\\n\"}", Warnings.line(Warnings.node("a", "\"x\"\n")));
  }

  @Test
  void statusLooksLikeTheApiServers() {
    Caller alice = new Caller("alice", List.of("dev"), Map.of());
    assertEquals(
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
            + "\"message\":\"tracepoints.query.dynlog.dev \\\"login\\\" is forbidden: User"
            + " \\\"alice\\\" cannot get resource \\\"tracepoints/events\\\" in API group"
            + " \\\"query.dynlog.dev\\\" in the namespace \\\"shop\\\"\",\"reason\":\"Forbidden\","
            + "\"code\":403}",
        KubeStatus.json(403, KubeStatus.reason(403), KubeStatus.forbidden(alice, "shop", "login")));
  }
}
