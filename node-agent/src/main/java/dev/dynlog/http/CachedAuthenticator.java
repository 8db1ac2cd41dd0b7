package dev.dynlog.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;

/**
 * Remembers the verdicts of another {@link QueryAuthenticator} briefly, so that a follow or a burst
 * of queries costs one review: allowed tokens for {@link #ALLOWED_TTL_NANOS}, refused ones for
 * {@link #DENIED_TTL_NANOS}, tokens that could not be reviewed not at all. Keyed by the token's
 * SHA-256 (the token itself is not kept), at most {@link #MAX_ENTRIES} (the least recently used
 * leaves first). At most {@link #MAX_REVIEWS_IN_FLIGHT} reviews run at once: a flood of made-up
 * tokens (each one new, so never cached) while the API server is slow gets 503s instead of holding
 * every request thread, so {@code /metrics} and {@code /healthz} keep answering.
 */
public final class CachedAuthenticator implements QueryAuthenticator {

  /** How long an allowed token stays allowed without a new review: 60 s. */
  public static final long ALLOWED_TTL_NANOS = 60_000_000_000L;

  /** How long a refused token stays refused without a new review: 10 s. */
  public static final long DENIED_TTL_NANOS = 10_000_000_000L;

  /** Tokens remembered at most. */
  public static final int MAX_ENTRIES = 1024;

  /** Reviews running at once at most; beyond them a new token is answered 503. */
  public static final int MAX_REVIEWS_IN_FLIGHT = 4;

  private final Semaphore inFlight = new Semaphore(MAX_REVIEWS_IN_FLIGHT);

  private record Entry(Verdict verdict, long expiresNanos) {}

  private final QueryAuthenticator reviewer;
  private final LongSupplier nanoTime;
  private final Map<String, Entry> entries =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
          return size() > MAX_ENTRIES;
        }
      };

  /** Caches {@code reviewer}'s verdicts, timed by {@code nanoTime} (e.g. System::nanoTime). */
  public CachedAuthenticator(QueryAuthenticator reviewer, LongSupplier nanoTime) {
    this.reviewer = reviewer;
    this.nanoTime = nanoTime;
  }

  @Override
  public Verdict review(String token) {
    String key = digest(token);
    long now = nanoTime.getAsLong();
    synchronized (entries) {
      Entry e = entries.get(key);
      if (e != null && now - e.expiresNanos() < 0) return e.verdict();
      if (e != null) entries.remove(key);
    }
    if (!inFlight.tryAcquire()) {
      return Verdict.unavailable(
          "too many bearer tokens are being reviewed at once (at most "
              + MAX_REVIEWS_IN_FLIGHT
              + "); retry");
    }
    Verdict verdict;
    try {
      verdict = reviewer.review(token);
    } finally {
      inFlight.release();
    }
    long ttl =
        switch (verdict.outcome()) {
          case ALLOWED -> ALLOWED_TTL_NANOS;
          case DENIED -> DENIED_TTL_NANOS;
          case UNAVAILABLE -> 0;
        };
    if (ttl > 0) {
      synchronized (entries) {
        entries.put(key, new Entry(verdict, now + ttl));
      }
    }
    return verdict;
  }

  /** Tokens remembered now. */
  int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  private static String digest(String token) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
