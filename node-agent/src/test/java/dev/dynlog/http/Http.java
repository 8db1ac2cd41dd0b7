package dev.dynlog.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.Stream;

/** A tiny HTTP client for tests. */
public final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Http() {}

  /** GET, body as a string. */
  public static HttpResponse<String> get(URI base, String pathAndQuery)
      throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(base + pathAndQuery))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build();
    return CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
  }

  /** GET as a stream of lines (for follows). */
  public static HttpResponse<Stream<String>> lines(URI base, String pathAndQuery, String accept)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET();
    if (accept != null) b.header("Accept", accept);
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofLines());
  }
}
