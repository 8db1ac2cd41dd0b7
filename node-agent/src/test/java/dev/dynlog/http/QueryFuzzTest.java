package dev.dynlog.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.query.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random query strings against a running server in a process of its own ({@link FuzzServer}):
 * random parameter names and values, sizes up to beyond the request-head limit, raw and
 * percent-encoded bytes, deeply nested {@code where} paths, several clients at once. Every answer
 * must be a 2xx or 4xx (503 only for the follow limit), every error a one-line {@code {"error":
 * ...}}, and the server process must print nothing on stderr (no stack trace). Reproduce a failure
 * with the seed it prints.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@Tag("slow")
class QueryFuzzTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAME = "main.Sum";
  private static final int CLIENTS = 4;
  private static final int REQUESTS_PER_CLIENT = 400;
  private static final long SEED = 0x5EED_D1A6L;

  private static final String[] KNOWN = {
    "since", "until", "limit", "order", "pid", "min_latency", "where", "format", "follow"
  };
  private static final String PUNCTUATION = "=<>!\"'&%.+ ;,/?#[]{}\\";
  private static final String[] OPS = {
    "=", "!=", "<", "<=", ">", ">=", " contains ", "==", "=<", "<>", "!", " CONTAINS ", ""
  };
  private static final String[] ATOMS = {
    "0",
    "-1",
    "1",
    "42",
    "999999999999999999999999",
    "18446744073709551615",
    "-9223372036854775809",
    "1e309",
    "NaN",
    "true",
    "false",
    "null",
    "\"\"",
    "\"a b\"",
    "\"unterminated",
    "user3",
    "boom",
    "5m",
    "1h30m",
    "250us",
    "1.5s",
    "10µs",
    "-5m",
    "99999999999999h",
    "0s",
    "2026-01-01T00:00:00Z",
    "2026-13-45T25:61:61Z",
    "2026-01-01T00:00:00+25:00",
    "newest",
    "oldest",
    "json",
    "jsonl",
    "sse",
    "xml",
    "",
    " ",
    "%",
    "%zz",
    "&",
    "=",
    "\\",
    "\u0000",
    "\uffff",
    "\ud800",
    "😀",
    "l.Units",
    "tags.0",
    "a".repeat(300)
  };

  @Test
  void randomQueriesNeverGetA5xxOrAStackTrace() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            FuzzServer.class.getName());
    // These make the JVM itself print on stderr ("Picked up ...").
    pb.environment()
        .keySet()
        .removeAll(List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"));
    Process server = pb.start();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    CompletableFuture<Void> errReader =
        CompletableFuture.runAsync(() -> copy(server.getErrorStream(), stderr));
    try {
      String first = readLine(server.getInputStream());
      assertTrue(first.startsWith("port "), "the server printed: " + first);
      int port = Integer.parseInt(first.substring(5).strip());

      Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
      long t0 = System.nanoTime();
      List<CompletableFuture<Void>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        long seed = SEED + c;
        clients.add(CompletableFuture.runAsync(() -> fuzz(port, seed, statuses)));
      }
      for (CompletableFuture<Void> c : clients) c.get(150, TimeUnit.SECONDS);

      // Deep nesting, in one where, each a little under and over the head limit.
      for (int depth : new int[] {10, 100, 1000, 2000, 4000, 5000}) {
        String path = "l" + ".Units".repeat(depth);
        check(port, events("where=" + path + "%3D1"), false, "depth " + depth, statuses);
        check(port, events("where=" + "tags.0".repeat(depth) + "%3Dx"), false, "", statuses);
      }

      // Afterwards: healthy, and the follows the fuzz opened have all been released.
      try (RawClient c = RawClient.connect("127.0.0.1", port)) {
        c.get("/healthz");
        assertEquals(200, c.read(Duration.ofSeconds(5)).status());
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      int follow = 0;
      while (follow != 200 && System.nanoTime() < deadline) {
        try (RawClient c = RawClient.connect("127.0.0.1", port)) {
          c.get(events("follow=true&limit=0"));
          follow = c.readHead(Duration.ofSeconds(5)).status();
        }
        if (follow != 200) Thread.sleep(250);
      }
      assertEquals(200, follow, "follow slots were not released after their clients left");
      System.out.printf(
          "fuzz: %d requests in %.1f s, answers by status: %s%n",
          statuses.values().stream().mapToInt(AtomicInteger::get).sum(),
          (System.nanoTime() - t0) / 1e9,
          new TreeMap<>(statuses));
      assertTrue(statuses.getOrDefault(200, new AtomicInteger()).get() > 100, "too few 200s");
      assertTrue(statuses.getOrDefault(400, new AtomicInteger()).get() > 100, "too few 400s");
    } finally {
      server.getOutputStream().close();
      if (!server.waitFor(30, TimeUnit.SECONDS)) server.destroyForcibly();
      errReader.get(10, TimeUnit.SECONDS);
    }
    assertEquals(0, server.exitValue());
    assertEquals("", stderr.toString(StandardCharsets.UTF_8), "the server printed on stderr");
  }

  private static String events(String rawQuery) {
    return "/api/v1/tracepoints/" + NAME + "/events?" + rawQuery;
  }

  private void fuzz(int port, long seed, Map<Integer, AtomicInteger> statuses) {
    Random r = new Random(seed);
    for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
      StringBuilder q = new StringBuilder();
      int params = r.nextInt(7);
      boolean follow = false;
      for (int p = 0; p < params; p++) {
        if (p > 0) q.append(r.nextInt(20) == 0 ? "&&" : "&");
        String name = r.nextInt(4) == 0 ? text(r, 1 + r.nextInt(12)) : KNOWN[r.nextInt(9)];
        String value;
        if (name.equals("where")) value = where(r);
        else if (name.equals("follow") && r.nextBoolean()) value = "true";
        else value = r.nextInt(3) == 0 ? text(r, sizeOf(r)) : ATOMS[r.nextInt(ATOMS.length)];
        follow |= name.equals("follow");
        q.append(encode(r, name));
        if (r.nextInt(15) != 0) q.append('=').append(encode(r, value));
      }
      String target =
          switch (r.nextInt(20)) {
            case 0 -> "/api/v1/tracepoints?" + q;
            case 1 -> "/api/v1/tracepoints/" + encode(r, text(r, 8)) + "/events?" + q;
            case 2 -> "/api/v1/tracepoints/" + NAME + "?" + q;
            case 3 -> "/metrics?" + q;
            default -> events(q.toString());
          };
      check(port, target, follow, "seed " + seed + " request " + i, statuses);
    }
  }

  /** Sends one request and checks the answer. */
  private static void check(
      int port, String target, boolean follow, String what, Map<Integer, AtomicInteger> statuses) {
    byte[] head =
        ("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    RawClient.Answer a;
    try (RawClient c = RawClient.connect("127.0.0.1", port)) {
      c.send(head);
      a = follow ? c.readHead(Duration.ofSeconds(20)) : c.read(Duration.ofSeconds(20));
    } catch (IOException e) {
      throw new AssertionError(what + ": no answer to GET " + shorten(target) + ": " + e, e);
    }
    statuses.computeIfAbsent(a.status(), k -> new AtomicInteger()).incrementAndGet();
    String context = what + ": GET " + shorten(target) + " → " + a.status() + " " + a.body();
    if (a.status() >= 500) {
      assertEquals(503, a.status(), context);
      assertTrue(a.body().contains("too many live follows"), context);
    }
    if (a.status() >= 400) {
      JsonNode error;
      try {
        error = JSON.readTree(a.body()).get("error");
      } catch (IOException e) {
        throw new AssertionError(context + ": not JSON", e);
      }
      if (error == null || !error.isTextual()) fail(context + ": no error message");
      String message = error.asText();
      assertTrue(!message.contains("\n"), context);
      assertTrue(!message.contains("Exception") && !message.contains("java."), context);
    } else if (a.status() == 200 && !follow && target.startsWith(events(""))) {
      String type = a.header("Content-Type");
      if (type.equals("application/json")) {
        try {
          JsonNode body = JSON.readTree(a.body());
          assertEquals(body.get("count").asInt(), body.get("rows").size(), context);
        } catch (IOException e) {
          throw new AssertionError(context + ": not JSON", e);
        }
      } else {
        assertEquals("application/x-ndjson", type, context);
      }
    }
  }

  private static int sizeOf(Random r) {
    return switch (r.nextInt(10)) {
      case 0 -> 2000 + r.nextInt(9000); // around and beyond the head limit
      case 1, 2 -> 100 + r.nextInt(900);
      default -> r.nextInt(20);
    };
  }

  private static String where(Random r) {
    StringBuilder path = new StringBuilder();
    path.append(r.nextInt(5) == 0 ? text(r, 1 + r.nextInt(6)) : Dataset.CAPTURES.get(r.nextInt(8)));
    int depth = r.nextInt(10) == 0 ? r.nextInt(1500) : r.nextInt(4);
    for (int d = 0; d < depth; d++) {
      path.append('.');
      path.append(
          switch (r.nextInt(4)) {
            case 0 -> Integer.toString(r.nextInt(5));
            case 1 -> "Units";
            case 2 -> "";
            default -> text(r, 1 + r.nextInt(4));
          });
    }
    return path + OPS[r.nextInt(OPS.length)] + ATOMS[r.nextInt(ATOMS.length)];
  }

  /** Random characters: ASCII, punctuation, other scripts, controls, lone surrogates. */
  private static String text(Random r, int length) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < length; i++) {
      sb.append(
          switch (r.nextInt(6)) {
            case 0 -> (char) (0x20 + r.nextInt(0x5f));
            case 1 -> PUNCTUATION.charAt(r.nextInt(PUNCTUATION.length()));
            case 2 -> (char) r.nextInt(0x20);
            case 3 -> (char) (0x80 + r.nextInt(0x780));
            case 4 -> (char) (0xd800 + r.nextInt(0x800));
            default -> (char) ('a' + r.nextInt(26));
          });
    }
    return sb.toString();
  }

  /**
   * Mostly percent-encoded UTF-8 (or random bytes), sometimes raw: every byte but the request
   * line's own separators (space, tab, CR, LF).
   */
  private static String encode(Random r, String s) {
    StringBuilder out = new StringBuilder();
    boolean raw = r.nextInt(8) == 0;
    byte[] bytes =
        r.nextInt(20) == 0 ? randomBytes(r, s.length()) : s.getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      int v = b & 0xff;
      boolean safe = (v >= 'a' && v <= 'z') || (v >= 'A' && v <= 'Z') || (v >= '0' && v <= '9');
      if (safe || (raw && v != ' ' && v != '\t' && v != '\r' && v != '\n')) out.append((char) v);
      else out.append('%').append(String.format("%02X", v));
    }
    return out.toString();
  }

  private static byte[] randomBytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  private static String shorten(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…(" + s.length() + " chars)" : s;
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') line.write(b);
    return line.toString(StandardCharsets.UTF_8);
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try {
      in.transferTo(out);
    } catch (IOException e) {
      // the process ended
    }
  }
}
