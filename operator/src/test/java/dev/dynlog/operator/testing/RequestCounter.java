package dev.dynlog.operator.testing;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts the HTTP requests a client sends to the API server, by kind (watch, GET, PATCH, ...). */
public final class RequestCounter implements Interceptor {

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    String query = request.uri().getQuery();
    String kind = query != null && query.contains("watch=true") ? "WATCH" : request.method();
    counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  /** Requests by kind so far. */
  public Map<String, Long> snapshot() {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }

  /** All requests so far. */
  public long total() {
    return counts.values().stream().mapToLong(LongAdder::sum).sum();
  }
}
