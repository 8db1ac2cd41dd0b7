package dev.dynlog.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dynlog.agent.SpecFile.SpecException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random spec files (random nesting, sizes, documents and bytes, and mutations of a valid spec):
 * {@link SpecFile#read} either reads them or refuses them with a {@link SpecException} whose
 * message is one short line with no exception class name; never another exception, an error or a
 * stack overflow. The seed is fixed so that a failure can be replayed; each case is named in the
 * failure.
 */
class SpecFileFuzzTest {

  private static final long SEED = 0x5eed_d1_10L;
  private static final int CASES = 750;

  /** A message names a problem, never a Java class. */
  private static final Pattern CLASS_NAME =
      Pattern.compile("(Exception|Error)\\b|\\b(java|javax|com|org)\\.[a-z]+\\.");

  @TempDir Path dir;

  private static final String VALID =
      "apiVersion: dynlog.dev/v1alpha1\n"
          + "kind: Tracepoint\n"
          + "metadata:\n"
          + "  name: login\n"
          + "spec:\n"
          + "  target:\n"
          + "    executable: /nonexistent/dynlog-fuzz-target\n"
          + "  function: main.(*Server).Login\n"
          + "  capture:\n"
          + "    - name: user\n"
          + "      expr: req.User.Name\n"
          + "    - {name: n, expr: 'len(items)'}\n"
          + "  latency: true\n"
          + "  ttl: 10m\n"
          + "  limits: {maxEventsPerSecond: 1000, maxStringBytes: 64, sampleRatio: 0.5}\n"
          + "  metricLabels:\n"
          + "    - capture: user\n"
          + "      maxValues: 20\n";

  private static final String SPECIALS = ":-[]{}&*!|>'\"%@`#,?\\ \n\t\r\u0000\u0085\u2028\ufeff$~";

  private static final List<String> WORDS =
      List.of(
          "apiVersion",
          "kind",
          "metadata",
          "name",
          "spec",
          "target",
          "pid",
          "executable",
          "function",
          "capture",
          "expr",
          "latency",
          "ttl",
          "limits",
          "maxEventsPerSecond",
          "maxStringBytes",
          "maxCollectionElements",
          "sampleRatio",
          "metricLabels",
          "maxValues",
          "selector",
          "<<",
          "&a",
          "*a",
          "!!binary",
          "!!float",
          "!!map",
          "!custom",
          "~",
          "null",
          "true",
          "1e400",
          "-0",
          "0x7fffffffffffffff",
          "99999999999999999999999",
          ".nan",
          "''",
          "\"\\u0000\"",
          "---",
          "...",
          "%YAML 1.1");

  @Test
  void randomSpecFilesGiveOneLineOrAResult() throws Exception {
    Random random = new Random(SEED);
    for (int i = 0; i < CASES; i++) {
      byte[] input =
          switch (i % 5) {
            case 0 -> randomBytes(random);
            case 1 -> mutate(random, VALID).getBytes(StandardCharsets.UTF_8);
            case 2 -> randomTree(random).getBytes(StandardCharsets.UTF_8);
            case 3 -> documents(random).getBytes(StandardCharsets.UTF_8);
            default -> longScalar(random).getBytes(StandardCharsets.UTF_8);
          };
      check(i, input);
    }
  }

  /** Reads one input in a thread with a modest stack, as a CLI thread might have. */
  private void check(int index, byte[] input) throws Exception {
    Path f = dir.resolve("case-" + index + ".yaml");
    Files.write(f, input);
    Throwable[] thrown = new Throwable[1];
    Thread t =
        new Thread(
            null,
            () -> {
              try {
                SpecFile.read(f);
              } catch (Throwable e) {
                thrown[0] = e;
              }
            },
            "fuzz",
            512 * 1024);
    long t0 = System.nanoTime();
    t.start();
    t.join(10_000);
    assertFalse(t.isAlive(), "case " + index + " still runs after 10 s");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 5_000, "case " + index + " took " + ms + " ms");
    Throwable e = thrown[0];
    if (e == null) return;
    if (!(e instanceof SpecException)) {
      AssertionError failure =
          new AssertionError("case " + index + " (" + input.length + " bytes) threw " + e, e);
      throw failure;
    }
    String m = e.getMessage();
    assertFalse(m.contains("\n") || m.contains("\r"), "case " + index + ": not one line: " + m);
    assertTrue(m.length() <= 600, "case " + index + ": " + m.length() + " chars: " + m);
    if (CLASS_NAME.matcher(m).find()) fail("case " + index + ": names a Java class: " + m);
  }

  private static byte[] randomBytes(Random r) {
    byte[] b = new byte[r.nextInt(r.nextBoolean() ? 64 : 4096)];
    r.nextBytes(b);
    return b;
  }

  /** The valid spec with a few random insertions, deletions, duplications and replacements. */
  private static String mutate(Random r, String text) {
    StringBuilder sb = new StringBuilder(text);
    int edits = 1 + r.nextInt(6);
    for (int e = 0; e < edits; e++) {
      int at = r.nextInt(sb.length() + 1);
      switch (r.nextInt(6)) {
        case 0 -> sb.insert(at, SPECIALS.charAt(r.nextInt(SPECIALS.length())));
        case 1 -> {
          int end = Math.min(sb.length(), at + r.nextInt(20));
          sb.delete(at, end);
        }
        case 2 -> {
          int end = Math.min(sb.length(), at + r.nextInt(40));
          sb.insert(at, sb.substring(at, end).repeat(1 + r.nextInt(50)));
        }
        case 3 -> sb.insert(at, WORDS.get(r.nextInt(WORDS.size())));
        case 4 -> sb.insert(at, (char) r.nextInt(0x3000));
        default -> sb.insert(at, "x".repeat(r.nextInt(10_000)));
      }
    }
    return sb.toString();
  }

  /** A random tree of mappings and lists, in block or flow style, nested up to 100 levels. */
  private static String randomTree(Random r) {
    StringBuilder sb = new StringBuilder();
    node(r, sb, 0, 1 + r.nextInt(100), r.nextBoolean());
    return sb.toString();
  }

  private static void node(Random r, StringBuilder sb, int depth, int maxDepth, boolean flow) {
    // deep but not wide: past 64 KiB only scalars, so the tree stays small
    int kind = depth >= maxDepth || sb.length() > 64 * 1024 ? 2 : r.nextInt(3);
    String indent = "  ".repeat(depth);
    switch (kind) {
      case 0 -> {
        int n = 1 + r.nextInt(depth < 3 ? 4 : 2);
        if (flow) sb.append('{');
        for (int i = 0; i < n; i++) {
          if (flow) {
            if (i > 0) sb.append(", ");
          } else {
            sb.append('\n').append(indent);
          }
          sb.append(WORDS.get(r.nextInt(WORDS.size()))).append(": ");
          node(r, sb, depth + 1, maxDepth, flow);
        }
        if (flow) sb.append('}');
      }
      case 1 -> {
        int n = 1 + r.nextInt(depth < 3 ? 4 : 2);
        if (flow) sb.append('[');
        for (int i = 0; i < n; i++) {
          if (flow) {
            if (i > 0) sb.append(", ");
          } else {
            sb.append('\n').append(indent).append("- ");
          }
          node(r, sb, depth + 1, maxDepth, flow);
        }
        if (flow) sb.append(']');
      }
      default -> sb.append(scalar(r));
    }
  }

  private static String scalar(Random r) {
    return switch (r.nextInt(5)) {
      case 0 -> WORDS.get(r.nextInt(WORDS.size()));
      case 1 -> Long.toString(r.nextLong());
      case 2 -> "9".repeat(1 + r.nextInt(2_000));
      case 3 -> "'" + "q".repeat(r.nextInt(5_000)) + "'";
      default -> Double.toString(r.nextGaussian() * 1e300);
    };
  }

  /** Many documents: empty, bare specs, full resources, garbage. */
  private static String documents(Random r) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(1_500);
    for (int i = 0; i < n; i++) {
      sb.append("---\n");
      switch (r.nextInt(4)) {
        case 0 -> {}
        case 1 ->
            sb.append("target: {executable: /nonexistent/x}\nfunction: main.F")
                .append(i)
                .append('\n');
        case 2 -> sb.append("# only a comment\n");
        default -> sb.append(WORDS.get(r.nextInt(WORDS.size()))).append('\n');
      }
    }
    return sb.toString();
  }

  /** The valid spec with one field's value replaced by a long string. */
  private static String longScalar(Random r) {
    String[] fields = {
      "name: login",
      "function: main.(*Server).Login",
      "expr: req.User.Name",
      "ttl: 10m",
      "executable: /nonexistent/dynlog-fuzz-target",
      "capture: user",
      "kind: Tracepoint"
    };
    String f = fields[r.nextInt(fields.length)];
    String key = f.substring(0, f.indexOf(':'));
    String unit = List.of("a", "1s", "a.", "*", "(", "[0]", "é", "\\u0000").get(r.nextInt(8));
    int times = 1 + r.nextInt(r.nextInt(10) == 0 ? 200_000 : 20_000); // sometimes above 1 MiB
    return VALID.replace(f, key + ": \"" + unit.repeat(times) + "\"");
  }
}
