package dev.dynlog.query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds a {@link Query} from URL parameters: {@code since}, {@code until} (RFC 3339 or a duration
 * ago), {@code limit}, {@code order} ({@code newest}|{@code oldest}), {@code pid}, {@code
 * min_latency} (a duration) and up to {@link #MAX_WHERE} {@code where}. Every value is bounded
 * ({@link #MAX_VALUE_LENGTH} characters, a {@code where} {@link Where#MAX_LENGTH}), so that a
 * hostile query costs no more than a normal one; an error quotes at most a short excerpt of the
 * input.
 */
public final class QueryParser {

  /** The parameters this parser understands. */
  public static final Set<String> PARAMETERS =
      Set.of("since", "until", "limit", "order", "pid", "min_latency", "where");

  /** Longest value of a parameter other than {@code where}, in characters. */
  public static final int MAX_VALUE_LENGTH = 64;

  /** Most {@code where} parameters in one query. */
  public static final int MAX_WHERE = 16;

  /** The largest process id Linux hands out ({@code PID_MAX_LIMIT} on 64-bit). */
  static final int MAX_PID = 4_194_304;

  private QueryParser() {}

  /**
   * Parses the parameters.
   *
   * @param params parameter name → values in URL order
   * @param now what relative times are relative to
   * @param otherAllowed further parameter names the caller handles itself
   * @throws BadQueryException for an unknown parameter, a repeated one (other than where), or a bad
   *     value
   */
  public static Query parse(
      Map<String, List<String>> params, Instant now, Set<String> otherAllowed) {
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      String name = e.getKey();
      if (!PARAMETERS.contains(name) && !otherAllowed.contains(name)) {
        Set<String> known = new TreeSet<>(PARAMETERS);
        known.addAll(otherAllowed);
        throw new BadQueryException(
            "unknown query parameter "
                + Excerpt.of(name)
                + "; known parameters: "
                + String.join(", ", known));
      }
      int count = e.getValue().size();
      if (name.equals("where")) {
        if (count > MAX_WHERE) {
          throw new BadQueryException(
              "where is given " + count + " times; at most " + MAX_WHERE + " in one query");
        }
        continue;
      }
      if (count > 1) {
        throw new BadQueryException("query parameter '" + name + "' is given " + count + " times");
      }
      for (String value : e.getValue()) {
        if (value.length() > MAX_VALUE_LENGTH) {
          throw new BadQueryException(
              name
                  + " is "
                  + value.length()
                  + " characters long; at most "
                  + MAX_VALUE_LENGTH
                  + ": "
                  + Excerpt.prefix(value));
        }
      }
    }
    Query q = Query.latest();
    long since =
        single(params, "since") == null
            ? q.sinceNanos()
            : Timestamps.parseEpochNanos(single(params, "since"), now, "since");
    long until =
        single(params, "until") == null
            ? q.untilNanos()
            : Timestamps.parseEpochNanos(single(params, "until"), now, "until");
    int limit = q.limit();
    if (single(params, "limit") != null) {
      long n = integer(single(params, "limit"), "limit");
      if (n < 0) {
        throw new BadQueryException(
            "limit must be 0 or more, got " + single(params, "limit").trim());
      }
      if (n > Query.MAX_LIMIT) {
        throw new BadQueryException(
            "limit must be at most " + Query.MAX_LIMIT + ", got " + single(params, "limit").trim());
      }
      limit = (int) n;
    }
    Order order =
        single(params, "order") == null ? q.order() : Order.parse(single(params, "order"));
    int pid = 0;
    if (single(params, "pid") != null) {
      long n = integer(single(params, "pid"), "pid");
      if (n <= 0 || n > MAX_PID) {
        throw new BadQueryException(
            "pid must be a positive process id (at most "
                + MAX_PID
                + "), got "
                + single(params, "pid").trim());
      }
      pid = (int) n;
    }
    long minLatency =
        single(params, "min_latency") == null
            ? q.minLatencyNs()
            : Durations.parseNanos(single(params, "min_latency"), "min_latency");
    List<Where> where = new ArrayList<>();
    for (String w : params.getOrDefault("where", List.of())) where.add(Where.parse(w));
    return new Query(since, until, limit, order, pid, minLatency, where);
  }

  private static String single(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /**
   * A whole number in ASCII digits, optionally negative; {@link Long#MAX_VALUE} or {@link
   * Long#MIN_VALUE} when it has more digits than a long holds (the caller's bound then refuses it).
   */
  private static long integer(String s, String what) {
    String t = s.trim();
    int sign = t.startsWith("-") ? 1 : 0;
    if (t.length() == sign || !t.substring(sign).chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new BadQueryException(what + " must be a whole number, got " + Excerpt.of(s));
    }
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException tooManyDigits) {
      return sign == 1 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
