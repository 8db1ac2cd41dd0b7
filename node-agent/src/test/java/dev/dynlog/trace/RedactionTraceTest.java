package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.agent.RedactionGuard;
import dev.dynlog.api.redact.Redaction;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.dwarf.DwarfBinary;
import dev.dynlog.plan.PlanOptions;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.plan.ProbePlanner;
import dev.dynlog.query.BadQueryException;
import dev.dynlog.query.Query;
import dev.dynlog.query.QueryParser;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real C program (gcc -O0 and -O2) whose function takes a {@code password} string and a struct
 * with a {@code token} field, traced through the real planner and kernel: the redacted values show
 * "[redacted]" and their bytes are in neither the rows nor the raw ring-buffer events, the other
 * values equal the program's own output; without redaction the secrets are read.
 */
@Tag("bpf")
class RedactionTraceTest {
  static final String SOURCE =
      """
      #include <stdio.h>
      #include <stdlib.h>
      #include <string.h>
      struct creds { const char *user; const char *token; long tries; };
      __attribute__((noinline)) int login(const char *password, const struct creds *c, long n) {
        // reads every field: at -O2 gcc may drop the caller's stores of fields never read here
        return (int)strlen(password) + (int)strlen(c->token) + (int)strlen(c->user) + (int)n;
      }
      int main(int argc, char **argv) {
        int n = atoi(argv[1]);
        char line[16];
        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("ready\\n");
        if (!fgets(line, sizeof line, stdin)) return 2;
        for (int i = 0; i < n; i++) {
          char user[32], pw[32], tok[32];
          snprintf(user, sizeof user, "user-%d", i);
          snprintf(pw, sizeof pw, "pw-SECRET-%d", i * 7);
          snprintf(tok, sizeof tok, "tok-SECRET-%d", i * 13);
          struct creds c = { user, tok, 100L + i };
          int r = login(pw, &c, (long)i);
          printf("login %s %s %s %ld %d %d\\n", user, pw, tok, c.tries, i, r);
        }
        return 0;
      }
      """;

  static final List<Capture> CAPTURES =
      List.of(
          Capture.parse("p=password"),
          Capture.parse("c=*c"),
          Capture.parse("t=c->token"),
          Capture.parse("n=n"),
          Capture.parse("ret=$0"));

  static Tracer tracer;

  @BeforeAll
  static void open() throws TracerException {
    tracer = Tracer.open();
  }

  @AfterAll
  static void close() {
    if (tracer != null) tracer.close();
  }

  /**
   * The rows of {@code calls} calls, traced by {@code tracer}, of {@code function} with {@code
   * captures}, with {@code redaction}; every raw event's bytes go to {@code raw}, the program's
   * lines to {@code truth}.
   */
  static List<Row> trace(
      Tracer tracer,
      Path bin,
      String function,
      List<Capture> captures,
      int calls,
      Redaction redaction,
      ByteArrayOutputStream raw,
      List<String> truth)
      throws Exception {
    ProbePlan plan;
    try (DwarfBinary binary = DwarfBinary.open(bin)) {
      plan =
          new ProbePlanner(binary, PlanOptions.defaults().withRedaction(redaction))
              .plan(function, captures);
    }
    List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    tracer.rawTap(
        (buf, off, len) -> {
          byte[] b = new byte[len];
          buf.get(off, b);
          synchronized (raw) {
            raw.writeBytes(b);
          }
        });
    try (TargetProcess t = TargetProcess.startPlain(bin, String.valueOf(calls))) {
      Probe probe =
          tracer.attach(plan, Target.process((int) t.pid()), TraceOptions.defaults(), rows::add);
      t.release();
      truth.addAll(t.finishLines(Duration.ofMinutes(2)));
      tracer.flush();
      probe.close();
    } finally {
      tracer.rawTap(null);
    }
    assertEquals(calls, rows.size());
    return rows;
  }

  @ParameterizedTest
  @ValueSource(strings = {"-O0", "-O2"})
  void secretsAreNeverReadAndTheOtherValuesAreExact(String opt) throws Exception {
    Path bin = Targets.buildC("redact" + opt, SOURCE, "-g", opt);
    int calls = 40;
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    List<String> truth = new ArrayList<>();
    List<Row> rows = trace(tracer, bin, "login", CAPTURES, calls, Redaction.defaults(), raw, truth);
    String events = raw.toString(StandardCharsets.ISO_8859_1);
    assertFalse(events.contains("SECRET"), "a secret's bytes left the target process");
    assertTrue(events.contains("user-"), "the raw events carry the other strings");
    for (int i = 0; i < calls; i++) {
      String[] f = truth.get(i).split(" ");
      Row r = rows.get(i);
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("user", f[1]);
      c.put("token", "[redacted]");
      c.put("tries", Long.parseLong(f[4]));
      assertEquals("[redacted]", r.captures().get("p"), truth.get(i));
      assertEquals(c, r.captures().get("c"), truth.get(i));
      assertEquals("[redacted]", r.captures().get("t"), truth.get(i));
      assertEquals(Long.parseLong(f[5]), r.captures().get("n"), truth.get(i));
      assertEquals(Long.parseLong(f[6]), r.captures().get("ret"), truth.get(i));
      assertEquals(
          Map.of(
              "p", "redacted: parameter `password` matches the redaction list (password)",
              "c", "redacted: field `token` matches the redaction list (token)",
              "t", "redacted: field `token` matches the redaction list (token)"),
          r.errors());
      assertFalse(r.toString().contains("SECRET"), r.toString());
    }
    // a filter on a redacted capture or field is refused: its answer would reveal the value
    TracepointInfo info =
        new TracepointInfo(
            "login",
            "login",
            "test",
            CAPTURES.stream().map(Capture::getName).toList(),
            false,
            List.of(),
            RedactionGuard.of(Redaction.defaults(), CAPTURES));
    for (String w : List.of("p=pw-SECRET-7", "c.token=x", "t=x")) {
      BadQueryException e =
          assertThrows(
              BadQueryException.class,
              () ->
                  QueryParser.parse(Map.of("where", List.of(w)), Instant.now(), Set.of())
                      .validate(info));
      assertTrue(e.getMessage().contains("is refused"), e.getMessage());
    }
    Query user3 =
        QueryParser.parse(Map.of("where", List.of("c.user=user-3")), Instant.now(), Set.of());
    user3.validate(info);
    // the struct's other fields stay filterable beside the redaction note in the row's errors
    assertEquals(1, rows.stream().filter(user3).count());
    Query tries =
        QueryParser.parse(Map.of("where", List.of("c.tries>=110")), Instant.now(), Set.of());
    assertEquals(calls - 10, rows.stream().filter(tries).count());
  }

  @ParameterizedTest
  @ValueSource(strings = {"-O0"})
  void withoutRedactionTheSecretsAreRead(String opt) throws Exception {
    Path bin = Targets.buildC("redact" + opt, SOURCE, "-g", opt);
    int calls = 10;
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    List<String> truth = new ArrayList<>();
    List<Row> rows = trace(tracer, bin, "login", CAPTURES, calls, Redaction.none(), raw, truth);
    assertTrue(raw.toString(StandardCharsets.ISO_8859_1).contains("pw-SECRET-"));
    for (int i = 0; i < calls; i++) {
      String[] f = truth.get(i).split(" ");
      Row r = rows.get(i);
      assertEquals(f[2], r.captures().get("p"));
      assertEquals(f[3], r.captures().get("t"));
      assertEquals(f[3], ((Map<?, ?>) r.captures().get("c")).get("token"));
      assertEquals(Map.of(), r.errors());
    }
  }
}
