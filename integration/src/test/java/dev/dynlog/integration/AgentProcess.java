package dev.dynlog.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.testing.Require;
import io.fabric8.kubernetes.client.Config;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node agent as it runs on a node: the packaged {@code dynlog.jar agent}, a separate process,
 * against the test API server, serving its HTTP API on a free loopback port. Its stderr (one line
 * per change) goes to a file that failures quote. Its query API answers only the user of its own
 * kubeconfig's token ({@code --query-clients}, the name the token's {@code sub} claim gives), so
 * {@link #get} sends that token, as the operator sends its own.
 */
final class AgentProcess implements AutoCloseable {

  private static final Pattern SERVING = Pattern.compile("serving /metrics and /api/v1 on (\\S+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The environment of the agent in the DaemonSet (docs/operator.md, "Running the agent"): two
   * malloc arenas, not one per thread, for native allocations (libbpf, JNA).
   */
  static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");

  /**
   * The JVM options of the agent in the DaemonSet (docs/operator.md, "Running the agent"):
   * overridable with {@code -Ddynlog.agent.jvm=...} to measure others.
   */
  static final String JVM_OPTIONS =
      System.getProperty(
          "dynlog.agent.jvm",
          "-XX:+UseSerialGC -Xms16m -Xmx64m -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m -Xss512k");

  private final Process process;
  private final Path stderr;
  private final Path stdout;
  private final URI base;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String token;

  private AgentProcess(Process process, Path stderr, Path stdout, URI base, String token) {
    this.process = process;
    this.stderr = stderr;
    this.stdout = stdout;
    this.base = base;
    this.token = token;
  }

  /** The bearer token of a token kubeconfig. */
  static String token(Path kubeconfig) throws IOException {
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    String token =
        config.getOauthToken() != null ? config.getOauthToken() : config.getAutoOAuthToken();
    if (token == null) throw new IllegalStateException(kubeconfig + " has no bearer token");
    return token;
  }

  /** The user a service-account token authenticates as: its JWT's {@code sub} claim. */
  static String user(String token) throws IOException {
    String[] parts = token.split("\\.");
    if (parts.length != 3) throw new IllegalStateException("not a service-account token (JWT)");
    return JSON.readTree(Base64.getUrlDecoder().decode(parts[1])).get("sub").asText();
  }

  /** The shaded jar built by {@code mvn package} of the node-agent module. */
  static Path jar() {
    Path jar = Path.of(System.getProperty("dynlog.jar", "../node-agent/target/dynlog.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "no dynlog jar at "
              + jar.toAbsolutePath()
              + ": run the integration tests with `mvn verify`");
    }
    return jar;
  }

  /** Starts {@code dynlog agent --node NODE --kubeconfig FILE} and waits until it serves. */
  static AgentProcess start(String node, Path kubeconfig, String... extra) throws IOException {
    Require.root();
    Path err = Files.createTempFile("dynlog-agent", ".err");
    Path out = Files.createTempFile("dynlog-agent", ".out");
    List<String> cmd =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(List.of(JVM_OPTIONS.split(" ")));
    cmd.addAll(
        List.of(
            "-jar",
            jar().toAbsolutePath().toString(),
            "agent",
            "--node",
            node,
            "--kubeconfig",
            kubeconfig.toString(),
            "--http",
            "127.0.0.1:0",
            "--query-clients",
            user(token(kubeconfig))));
    for (String e : extra) if (!e.isEmpty()) cmd.add(e);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(ENVIRONMENT);
    Process p =
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = SERVING.matcher(Files.readString(err));
      if (m.find()) return new AgentProcess(p, err, out, URI.create(m.group(1)), token(kubeconfig));
      if (!p.isAlive()) break;
      sleep(50);
    }
    p.destroyForcibly();
    throw new AssertionError(
        "the agent did not start serving; its stderr:\n" + Files.readString(err));
  }

  long pid() {
    return process.pid();
  }

  /** Everything the agent wrote to stderr so far. */
  String log() {
    try {
      return Files.readString(stderr);
    } catch (IOException e) {
      return "<unreadable: " + e + ">";
    }
  }

  /** The base URL of the agent's HTTP API, as it logged it. */
  URI base() {
    return base;
  }

  /** GET of a path of the agent's HTTP API with the allowed token: status code and body. */
  Answer get(String pathAndQuery) {
    return get(pathAndQuery, token);
  }

  /** GET of a path of the agent's HTTP API with {@code bearer} (null: none): status and body. */
  Answer get(String pathAndQuery, String bearer) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(10));
      if (bearer != null) request.header("Authorization", "Bearer " + bearer);
      HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The rows of tracepoint {@code namespace/name} (JSON objects), oldest first. */
  List<JsonNode> rows(String namespace, String name) {
    return rows(namespace, name, "");
  }

  /** The rows of tracepoint {@code namespace/name} (JSON objects) with more query parameters. */
  List<JsonNode> rows(String namespace, String name, String query) {
    Answer a =
        get(
            "/api/v1/namespaces/"
                + namespace
                + "/tracepoints/"
                + name
                + "/events?format=jsonl&order=oldest&limit=1000000"
                + (query.isEmpty() ? "" : "&" + query));
    if (a.status() == 404) return List.of();
    if (a.status() != 200) throw new AssertionError("events: " + a + "\nagent log:\n" + log());
    List<JsonNode> rows = new ArrayList<>();
    for (String line : a.body().split("\n")) {
      if (line.isBlank()) continue;
      try {
        rows.add(JSON.readTree(line));
      } catch (IOException e) {
        throw new AssertionError("not a JSON row: " + line, e);
      }
    }
    return rows;
  }

  /** The agent's /metrics text. */
  String metrics() {
    Answer a = get("/metrics");
    if (a.status() != 200) throw new AssertionError("/metrics: " + a);
    return a.body();
  }

  /** The resident set size of the agent's process, in KiB. */
  long rssKiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    throw new IllegalStateException("no VmRSS for the agent");
  }

  /** kill -9: the process gets no chance to clean up. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("kill -9 did not end it");
  }

  /** SIGTERM, and waits for it to exit; returns the exit code. */
  int terminate() throws InterruptedException, IOException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      // a JVM shutting down answers no jcmd; SIGQUIT prints its threads to stdout
      new ProcessBuilder("kill", "-QUIT", Long.toString(pid())).start().waitFor();
      sleep(2000);
      String threads;
      try {
        threads = Files.readString(stdout);
      } catch (IOException e) {
        threads = "<unreadable: " + e + ">";
      }
      process.destroyForcibly();
      throw new AssertionError(
          "the agent did not stop within 60 s of SIGTERM:\n"
              + log()
              + "\nits threads:\n"
              + threads);
    }
    return process.exitValue();
  }

  /** Output of {@code jcmd PID COMMAND} (e.g. a thread dump, the native memory summary). */
  String jcmd(String... command) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    cmd.add(Long.toString(pid()));
    cmd.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "<jcmd failed: " + e + ">";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "<interrupted>";
    }
  }

  /**
   * Where the agent's resident memory is: the largest mappings of {@code /proc/PID/smaps} and, when
   * the JVM runs with {@code -XX:NativeMemoryTracking=summary}, its own account.
   */
  String memoryBreakdown() throws IOException {
    StringBuilder out = new StringBuilder();
    List<long[]> sizes = new ArrayList<>();
    List<String> names = new ArrayList<>();
    String name = "";
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "smaps"))) {
      if (Character.isDigit(line.charAt(0)) || (line.charAt(0) >= 'a' && line.charAt(0) <= 'f')) {
        String[] f = line.trim().split("\\s+");
        name = f.length > 5 ? f[5] : "[anon]";
      } else if (line.startsWith("Rss:")) {
        sizes.add(new long[] {Long.parseLong(line.replaceAll("[^0-9]", "")), names.size()});
        names.add(name);
      }
    }
    sizes.sort((a, b) -> Long.compare(b[0], a[0]));
    for (int i = 0; i < Math.min(8, sizes.size()); i++) {
      out.append(
          String.format("  %7d KiB %s%n", sizes.get(i)[0], names.get((int) sizes.get(i)[1])));
    }
    if (JVM_OPTIONS.contains("NativeMemoryTracking"))
      out.append(jcmd("VM.native_memory", "summary"));
    return out.toString();
  }

  boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() throws InterruptedException, IOException {
    if (process.isAlive()) terminate();
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An HTTP answer. */
  record Answer(int status, String body) {}
}
