package dev.dynlog.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code dynlog trace} on a real C program: a {@code password} parameter and a
 * struct's {@code token} field are "[redacted]" in the printed rows and the query API, a where on
 * them is a 400, the other values are the program's own; with {@code --no-redact} a warning and the
 * values.
 */
@Tag("bpf")
class RedactionIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SOURCE =
      """
      #include <stdio.h>
      #include <stdlib.h>
      struct creds { const char *user; const char *token; long tries; };
      __attribute__((noinline)) long login(const char *password, const struct creds *c) {
        // reads every field: at -O2 gcc drops the caller's stores of fields the callee never reads
        return c->tries + (password[0] != 0) + (c->user[0] != 0) + (c->token[0] != 0);
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
          snprintf(pw, sizeof pw, "pw-SECRET-%d", i);
          snprintf(tok, sizeof tok, "tok-SECRET-%d", i);
          struct creds c = { user, tok, 100L + i };
          long r = login(pw, &c);
          printf("login %s %s %s %ld %ld\\n", user, pw, tok, c.tries, r);
        }
        return 0;
      }
      """;

  @TempDir Path work;

  /** Traces {@code calls} calls; returns the printed rows, the program's lines and the CLI. */
  private record Run(List<String> rows, List<String> truth, String stderr, String refused) {}

  private Run run(int calls, String... extra) throws Exception {
    Path bin = Targets.buildC("redact-it", SOURCE, "-g", "-O2");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (TargetProcess target = TargetProcess.startPlain(bin, Integer.toString(calls))) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "trace",
                  "--pid",
                  Long.toString(target.pid()),
                  "login",
                  "--capture",
                  "p=password",
                  "--capture",
                  "c=*c",
                  "--output",
                  "jsonl",
                  "--http",
                  "127.0.0.1:" + port,
                  "--linger",
                  "60s"));
      args.addAll(List.of(extra));
      try (DynlogCli cli = DynlogCli.start(work, args.toArray(String[]::new))) {
        cli.awaitStderr("tracing login", 1, Duration.ofSeconds(90));
        target.release();
        List<String> truth = target.finishLines(Duration.ofMinutes(1));
        cli.awaitStderr("serving queries", 1, Duration.ofSeconds(60));
        HttpResponse<String> where =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create(
                                "http://127.0.0.1:"
                                    + port
                                    + "/api/v1/tracepoints/login/events?where=c.token%3Dx"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        String refused =
            where.statusCode() == 400 ? JSON.readTree(where.body()).get("error").asText() : null;
        return new Run(cli.stdoutLines(), truth, cli.stderrText(), refused);
      }
    }
  }

  @Test
  void secretsAreRedactedInRowsAndQueriesAndShownOnlyWithNoRedact() throws Exception {
    int calls = 20;
    Run r = run(calls);
    assertEquals(calls, r.rows().size(), r.stderr());
    for (int i = 0; i < calls; i++) {
      String[] f = r.truth().get(i).split(" ");
      JsonNode row = JSON.readTree(r.rows().get(i));
      assertFalse(r.rows().get(i).contains("SECRET"), r.rows().get(i));
      assertEquals("[redacted]", row.at("/captures/p").asText());
      assertEquals(f[1], row.at("/captures/c/user").asText(), r.rows().get(i));
      assertEquals("[redacted]", row.at("/captures/c/token").asText());
      assertEquals(Long.parseLong(f[4]), row.at("/captures/c/tries").asLong());
      assertEquals(
          "redacted: field `token` matches the redaction list (token)",
          row.at("/errors/c").asText());
    }
    assertEquals(
        "where 'c.token=x' is refused: `c.token` is redacted: field `token` matches the redaction"
            + " list (token); a filter on a redacted value would reveal it",
        r.refused());
    assertFalse(r.stderr().contains("WARNING"), r.stderr());

    Run plain = run(5, "--no-redact");
    assertTrue(plain.stderr().contains("WARNING: --no-redact: redaction is OFF"), plain.stderr());
    assertEquals(null, plain.refused());
    for (int i = 0; i < 5; i++) {
      String[] f = plain.truth().get(i).split(" ");
      JsonNode row = JSON.readTree(plain.rows().get(i));
      assertEquals(f[2], row.at("/captures/p").asText());
      assertEquals(f[3], row.at("/captures/c/token").asText());
    }
  }
}
