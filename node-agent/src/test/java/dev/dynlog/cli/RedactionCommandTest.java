package dev.dynlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.cli.InspectCommandTest.Result;
import dev.dynlog.testing.Targets;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code dynlog inspect} shows what redaction leaves unread; {@code --no-redact} warns loudly. */
@Tag("toolchain")
class RedactionCommandTest {
  private static final String SOURCE =
      """
      struct creds { const char *user; const char *token; long tries; };
      __attribute__((noinline)) long login(const char *password, const struct creds *c) {
        return c->tries + (password[0] != 0);
      }
      int main(void) {
        struct creds c = { "u", "t", 1 };
        return (int)login("p", &c);
      }
      """;

  @Test
  void inspectShowsARedactedCaptureWithoutReadsAndARedactedField() throws Exception {
    Path bin = Targets.buildC("redact-inspect", SOURCE, "-g", "-O0");
    Result r = InspectCommandTest.inspect(bin.toString(), "login", "--expr", "p=password");
    assertEquals(0, r.exit(), r.err());
    assertTrue(
        r.out()
            .contains(
                "      decode: Redacted[rule=redacted: parameter `password` matches the redaction"
                    + " list (password)]\n"
                    + "      not read: p: redacted: parameter `password` matches the redaction"
                    + " list (password)\n"),
        r.out());
    assertFalse(r.out().contains("read 0:"), "no read for a redacted capture:\n" + r.out());
    Result j = InspectCommandTest.inspect(bin.toString(), "login", "-o", "json", "--expr", "c=*c");
    assertEquals(0, j.exit(), j.err());
    JsonNode c = new ObjectMapper().readTree(j.out()).get("captures").get(0);
    assertEquals(2, c.get("reads").size(), "user and tries are read, token is not");
    assertEquals("c.token", c.get("redacted").get(0).get("path").asText());
    assertEquals(
        "redacted: field `token` matches the redaction list (token)",
        c.get("redacted").get(0).get("rule").asText());
  }

  @Test
  void noRedactPrintsAWarningBeforeTracing() {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      // no such process: the session fails after the warning, before anything is traced
      code = Main.run(new String[] {"trace", "--pid", "2147483646", "--no-redact", "login"});
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    String stderr = e.toString(StandardCharsets.UTF_8);
    assertNotEquals(0, code);
    assertTrue(stderr.startsWith(Sessions.NO_REDACT_WARNING + "\n"), stderr);
  }
}
