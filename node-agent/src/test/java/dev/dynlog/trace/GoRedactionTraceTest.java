package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.api.redact.Redaction;
import dev.dynlog.api.v1alpha1.Capture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Go side of {@link RedactionTraceTest}: a Go function taking a {@code password} string and a
 * struct (by value, in registers) with a {@code Token} field, traced by the real kernel.
 */
@Tag("bpf")
@Tag("toolchain")
class GoRedactionTraceTest {
  static final String SOURCE =
      """
      package main

      import (
      	"bufio"
      	"fmt"
      	"os"
      	"strconv"
      )

      type Creds struct {
      	User  string
      	Token string
      	Tries int
      }

      //go:noinline
      func Login(password string, c Creds, n int) int {
      	return len(password) + len(c.Token) + n + c.Tries
      }

      func main() {
      	n, _ := strconv.Atoi(os.Args[1])
      	fmt.Println("ready")
      	bufio.NewReader(os.Stdin).ReadString('\\n')
      	for i := 0; i < n; i++ {
      		c := Creds{User: fmt.Sprintf("user-%d", i), Token: fmt.Sprintf("tok-SECRET-%d", i*13), Tries: 100 + i}
      		pw := fmt.Sprintf("pw-SECRET-%d", i*7)
      		r := Login(pw, c, i)
      		fmt.Printf("login %s %s %s %d %d %d\\n", c.User, pw, c.Token, c.Tries, i, r)
      	}
      }
      """;

  static final List<Capture> CAPTURES =
      List.of(
          Capture.parse("p=password"),
          Capture.parse("c=c"),
          Capture.parse("t=c.Token"),
          Capture.parse("n=n"),
          Capture.parse("ret=$0"));

  static Tracer tracer;

  @TempDir static Path dir;

  @BeforeAll
  static void open() throws TracerException {
    tracer = Tracer.open();
  }

  @AfterAll
  static void close() {
    if (tracer != null) tracer.close();
  }

  private static Path buildGo() throws Exception {
    Path src = dir.resolve("src");
    Files.createDirectories(src);
    Files.writeString(src.resolve("main.go"), SOURCE);
    Files.writeString(src.resolve("go.mod"), "module example.com/login\n\ngo 1.21\n");
    Path bin = dir.resolve("login");
    ProcessBuilder pb =
        new ProcessBuilder("go", "build", "-o", bin.toString(), ".")
            .directory(src.toFile())
            .redirectErrorStream(true);
    pb.environment().putIfAbsent("GOCACHE", "/tmp/dynlog-test-gocache");
    pb.environment().putIfAbsent("HOME", "/root");
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError("cannot run go (is it installed?): " + e.getMessage(), e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0, "go build failed:\n" + out);
    return bin;
  }

  @Test
  void secretsAreNeverReadAndTheOtherValuesAreExact() throws Exception {
    Path bin = buildGo();
    int calls = 40;
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    List<String> truth = new ArrayList<>();
    List<Row> rows =
        RedactionTraceTest.trace(
            tracer, bin, "main.Login", CAPTURES, calls, Redaction.defaults(), raw, truth);
    String events = raw.toString(StandardCharsets.ISO_8859_1);
    assertFalse(events.contains("SECRET"), "a secret's bytes left the target process");
    assertTrue(events.contains("user-"), "the raw events carry the other strings");
    for (int i = 0; i < calls; i++) {
      String[] f = truth.get(i).split(" ");
      Row r = rows.get(i);
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("User", f[1]);
      c.put("Token", "[redacted]");
      c.put("Tries", Long.parseLong(f[4]));
      assertEquals("[redacted]", r.captures().get("p"), truth.get(i));
      assertEquals(c, r.captures().get("c"), truth.get(i));
      assertEquals("[redacted]", r.captures().get("t"), truth.get(i));
      assertEquals(Long.parseLong(f[5]), r.captures().get("n"), truth.get(i));
      assertEquals(Long.parseLong(f[6]), r.captures().get("ret"), truth.get(i));
      assertEquals(
          Map.of(
              "p", "redacted: parameter `password` matches the redaction list (password)",
              "c", "redacted: field `Token` matches the redaction list (token)",
              "t", "redacted: field `Token` matches the redaction list (token)"),
          r.errors());
    }
    List<String> plainTruth = new ArrayList<>();
    List<Row> plain =
        RedactionTraceTest.trace(
            tracer,
            bin,
            "main.Login",
            CAPTURES,
            5,
            Redaction.none(),
            new ByteArrayOutputStream(),
            plainTruth);
    for (int i = 0; i < 5; i++) {
      String[] f = plainTruth.get(i).split(" ");
      assertEquals(f[2], plain.get(i).captures().get("p"));
      assertEquals(f[3], plain.get(i).captures().get("t"));
    }
  }
}
