package dev.dynlog.operator.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Asks node agents for a Tracepoint's rows on their namespaced events path, authenticated by the
 * operator's service-account token ({@code Authorization: Bearer}), each answer bounded by a
 * timeout.
 */
public final class AgentClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final Supplier<String> token;
  private final Duration timeout;

  /**
   * @param token the bearer token to send, or a supplier of null to send none
   * @param timeout how long one agent may take to answer (a follow: to send its headers)
   */
  public AgentClient(Supplier<String> token, Duration timeout) {
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.token = token;
    this.timeout = timeout;
  }

  /** The per-agent timeout. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * The rows of one agent (JSONL), within the timeout.
   *
   * @param agent the agent's base URL ({@code status.agent})
   * @throws AgentException when it does not answer in time, cannot be reached, or answers an error
   */
  public List<AgentRow> rows(String agent, String namespace, String name, String query)
      throws AgentException {
    CompletableFuture<HttpResponse<String>> future =
        http.sendAsync(
            request(agent, namespace, name, query), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> response;
    try {
      response = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new AgentException(0, "agent " + agent + " did not answer within " + seconds());
    } catch (ExecutionException e) {
      throw new AgentException(0, "agent " + agent + " cannot be reached: " + cause(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException(0, "interrupted while asking agent " + agent);
    }
    if (response.statusCode() != 200) {
      throw error(agent, response.statusCode(), response.body());
    }
    List<AgentRow> rows = new ArrayList<>();
    for (String line : response.body().split("\n")) {
      if (!line.isBlank()) {
        try {
          rows.add(AgentRow.parse(line));
        } catch (IllegalArgumentException e) {
          throw new AgentException(0, "agent " + agent + " sent " + e.getMessage());
        }
      }
    }
    return rows;
  }

  /**
   * Opens a follow ({@code follow=true} is in {@code query}): the answer's lines, once the agent
   * has sent its headers within the timeout. The caller closes the stream.
   *
   * @throws AgentException as {@link #rows}
   */
  public Stream<String> follow(String agent, String namespace, String name, String query)
      throws AgentException {
    CompletableFuture<HttpResponse<Stream<String>>> future =
        http.sendAsync(request(agent, namespace, name, query), HttpResponse.BodyHandlers.ofLines());
    HttpResponse<Stream<String>> response;
    try {
      response = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new AgentException(0, "agent " + agent + " did not answer within " + seconds());
    } catch (ExecutionException e) {
      throw new AgentException(0, "agent " + agent + " cannot be reached: " + cause(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException(0, "interrupted while asking agent " + agent);
    }
    if (response.statusCode() != 200) {
      String body;
      try (Stream<String> lines = response.body()) {
        body = String.join("\n", lines.limit(20).toList());
      }
      throw error(agent, response.statusCode(), body);
    }
    return response.body();
  }

  private HttpRequest request(String agent, String namespace, String name, String query)
      throws AgentException {
    URI uri;
    try {
      String base = agent.endsWith("/") ? agent.substring(0, agent.length() - 1) : agent;
      uri = URI.create(base + QueryPaths.agentEvents(namespace, name) + "?" + query);
    } catch (IllegalArgumentException e) {
      throw new AgentException(0, "agent address " + Excerpts.quote(agent) + " is not a URL");
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new AgentException(
          0, "agent address " + Excerpts.quote(agent) + " is not an http(s) URL");
    }
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri).GET().header("Accept", "application/x-ndjson");
    String t = token.get();
    if (t != null && !t.isBlank()) {
      b.header("Authorization", "Bearer " + t.trim());
    }
    return b.build();
  }

  /** An agent's error answer; its {@code {"error": "..."}} message when it sent one. */
  private static AgentException error(String agent, int status, String body) {
    String message = body == null ? "" : body.trim();
    try {
      JsonNode node = JSON.readTree(message);
      if (node != null && node.hasNonNull("error")) {
        message = node.get("error").asText();
      }
    } catch (IOException notJson) {
      message = Excerpts.quote(message);
    }
    return new AgentException(
        status, "agent " + agent + " answered " + status + ": " + message, message);
  }

  private String seconds() {
    return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + "s" : timeout.toMillis() + "ms";
  }

  private static String cause(ExecutionException e) {
    Throwable c = e.getCause() == null ? e : e.getCause();
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
