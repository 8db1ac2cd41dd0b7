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
 * min_latency} (a duration) and any number of {@code where}.
 */
public final class QueryParser {

  /** The parameters this parser understands. */
  public static final Set<String> PARAMETERS =
      Set.of("since", "until", "limit", "order", "pid", "min_latency", "where");

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
            "unknown query parameter '"
                + name
                + "'; known parameters: "
                + String.join(", ", known));
      }
      if (!name.equals("where") && e.getValue().size() > 1) {
        throw new BadQueryException(
            "query parameter '" + name + "' is given " + e.getValue().size() + " times");
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
    int limit =
        single(params, "limit") == null ? q.limit() : integer(single(params, "limit"), "limit");
    Order order =
        single(params, "order") == null ? q.order() : Order.parse(single(params, "order"));
    int pid = 0;
    if (single(params, "pid") != null) {
      pid = integer(single(params, "pid"), "pid");
      if (pid <= 0) throw new BadQueryException("pid must be a positive process id, got " + pid);
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

  private static int integer(String s, String what) {
    try {
      int n = Integer.parseInt(s.trim());
      if (n < 0) throw new BadQueryException(what + " must be 0 or more, got " + n);
      return n;
    } catch (NumberFormatException e) {
      throw new BadQueryException(what + " must be a whole number, got '" + s + "'");
    }
  }
}
