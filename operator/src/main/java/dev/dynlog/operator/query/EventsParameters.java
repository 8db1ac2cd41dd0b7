package dev.dynlog.operator.query;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The query parameters of an events request, checked with the node agent's rules (its {@code
 * QueryParser} and {@code ApiHandler}, docs/query-api.md) before any agent is asked, so that a
 * mistake is one 400 instead of one per node. What only a tracepoint knows (a {@code where} naming
 * no capture) is checked by the agents, whose 400 is passed on.
 *
 * @param limit at most this many rows
 * @param newestFirst {@code order=newest} (the default without follow)
 * @param follow {@code follow=true}
 * @param format {@code json}, {@code jsonl} or (with follow) {@code sse}
 * @param forwarded the parameters to send to every agent, in order (without {@code format})
 */
public record EventsParameters(
    int limit,
    boolean newestFirst,
    boolean follow,
    String format,
    List<Map.Entry<String, String>> forwarded) {

  /** Every parameter an events request takes. */
  public static final Set<String> NAMES =
      Set.of("since", "until", "limit", "order", "pid", "min_latency", "where", "format", "follow");

  static final int MAX_VALUE_LENGTH = 64;
  static final int MAX_WHERE_LENGTH = 1024;
  static final int MAX_WHERE = 16;
  static final int MAX_LIMIT = 1_000_000;
  static final int DEFAULT_LIMIT = 1000;
  static final int MAX_PID = 4_194_304;

  private static final Pattern DURATION =
      Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s|m|h|d))+");

  /** Some operator of the agent's where grammar; the agents check the rest. */
  private static final Pattern WHERE_OPERATOR = Pattern.compile("[=<>]| contains ");

  private static final String DURATION_HINT = "write e.g. 100us, 10ms, 1.5s, 5m, 1h30m";

  public EventsParameters {
    forwarded = List.copyOf(forwarded);
  }

  /**
   * Parses a raw query string ({@code a=1&b=2}, percent-encoded).
   *
   * @param accept the request's Accept header, or null (as the agent, it picks jsonl or sse when no
   *     format is given)
   * @throws BadParameterException naming the parameter
   */
  public static EventsParameters parse(String rawQuery, String accept) {
    Map<String, List<String>> params = decode(rawQuery);
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      String name = e.getKey();
      if (!NAMES.contains(name)) {
        throw new BadParameterException(
            "unknown query parameter "
                + Excerpts.quote(name)
                + "; known parameters: "
                + String.join(", ", new TreeSet<>(NAMES)));
      }
      int count = e.getValue().size();
      if (name.equals("where")) {
        if (count > MAX_WHERE) {
          throw new BadParameterException(
              "where is given " + count + " times; at most " + MAX_WHERE + " in one query");
        }
        for (String w : e.getValue()) {
          if (w.length() <= MAX_WHERE_LENGTH && !WHERE_OPERATOR.matcher(w).find()) {
            throw new BadParameterException(
                "where "
                    + Excerpts.quote(w)
                    + " is not NAME OP VALUE: OP is one of = != < <= > >= contains"
                    + " (e.g. username=alice, l.Units>100, path contains /api)");
          }
          if (w.length() > MAX_WHERE_LENGTH) {
            throw new BadParameterException(
                "where is "
                    + w.length()
                    + " characters long; at most "
                    + MAX_WHERE_LENGTH
                    + ": "
                    + Excerpts.quote(w));
          }
        }
        continue;
      }
      if (count > 1) {
        throw new BadParameterException(
            "query parameter '" + name + "' is given " + count + " times");
      }
      String value = e.getValue().get(0);
      if (value.length() > MAX_VALUE_LENGTH) {
        throw new BadParameterException(
            name
                + " is "
                + value.length()
                + " characters long; at most "
                + MAX_VALUE_LENGTH
                + ": "
                + Excerpts.quote(value));
      }
    }
    time(single(params, "since"), "since");
    time(single(params, "until"), "until");
    int limit = DEFAULT_LIMIT;
    if (single(params, "limit") != null) {
      long n = integer(single(params, "limit"), "limit");
      if (n < 0) {
        throw new BadParameterException("limit must be 0 or more, got " + n);
      }
      if (n > MAX_LIMIT) {
        throw new BadParameterException(
            "limit must be at most " + MAX_LIMIT + ", got " + single(params, "limit").trim());
      }
      limit = (int) n;
    }
    String order = single(params, "order");
    if (order != null && !order.equals("newest") && !order.equals("oldest")) {
      throw new BadParameterException(
          "order must be 'newest' or 'oldest', got " + Excerpts.quote(order));
    }
    if (single(params, "pid") != null) {
      long n = integer(single(params, "pid"), "pid");
      if (n <= 0 || n > MAX_PID) {
        throw new BadParameterException(
            "pid must be a positive process id (at most "
                + MAX_PID
                + "), got "
                + single(params, "pid").trim());
      }
    }
    String minLatency = single(params, "min_latency");
    if (minLatency != null && !DURATION.matcher(minLatency.trim()).matches()) {
      throw new BadParameterException(
          "min_latency: " + Excerpts.quote(minLatency) + " is not a duration; " + DURATION_HINT);
    }
    boolean follow = flag(single(params, "follow"), "follow");
    String format = format(single(params, "format"), accept, follow);
    if (follow && "newest".equals(order)) {
      throw new BadParameterException("follow=true streams oldest first; drop order=newest");
    }
    List<Map.Entry<String, String>> forwarded = new ArrayList<>();
    params.forEach(
        (name, values) -> {
          if (!name.equals("format")) {
            values.forEach(v -> forwarded.add(Map.entry(name, v)));
          }
        });
    return new EventsParameters(
        limit, !follow && !"oldest".equals(order), follow, format, forwarded);
  }

  /** The forwarded parameters plus {@code format=jsonl}, encoded for an agent's URL. */
  public String agentQuery() {
    StringBuilder b = new StringBuilder("format=jsonl");
    for (Map.Entry<String, String> e : forwarded) {
      b.append('&')
          .append(e.getKey())
          .append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return b.toString();
  }

  /**
   * The same parameters asking only for rows from {@code ts} on (strictly after it, by one
   * nanosecond): how a follow resumes after reconnecting to an agent.
   */
  public EventsParameters from(Instant ts) {
    List<Map.Entry<String, String>> resumed = new ArrayList<>();
    for (Map.Entry<String, String> e : forwarded) {
      if (!e.getKey().equals("since")) {
        resumed.add(e);
      }
    }
    resumed.add(Map.entry("since", ts.plusNanos(1).toString()));
    return new EventsParameters(limit, newestFirst, follow, format, resumed);
  }

  private static Map<String, List<String>> decode(String raw) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        params
            .computeIfAbsent(
                URLDecoder.decode(name, StandardCharsets.UTF_8), k -> new ArrayList<>())
            .add(URLDecoder.decode(value, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new BadParameterException(
            "malformed percent-encoding in query parameter " + Excerpts.quote(pair));
      }
    }
    return params;
  }

  private static String single(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static void time(String text, String what) {
    if (text == null) {
      return;
    }
    String s = text.trim();
    if (!s.isEmpty() && Character.isDigit(s.charAt(0)) && s.length() > 4 && s.charAt(4) == '-') {
      try {
        OffsetDateTime.parse(s);
        return;
      } catch (DateTimeParseException e) {
        throw new BadParameterException(
            what
                + ": "
                + Excerpts.quote(text)
                + " is not an RFC 3339 time (e.g. 2026-01-02T15:04:05.123456789Z)");
      }
    }
    if (!DURATION.matcher(s).matches()) {
      throw new BadParameterException(
          what
              + ": "
              + Excerpts.quote(text)
              + " is neither an RFC 3339 time (e.g. 2026-01-02T15:04:05Z)"
              + " nor a duration ago (e.g. 5m, 1h30m)");
    }
  }

  private static long integer(String s, String what) {
    String t = s.trim();
    int sign = t.startsWith("-") ? 1 : 0;
    if (t.length() == sign || !t.substring(sign).chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new BadParameterException(what + " must be a whole number, got " + Excerpts.quote(s));
    }
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException tooManyDigits) {
      return sign == 1 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  private static boolean flag(String value, String name) {
    if (value == null) {
      return false;
    }
    return switch (value) {
      case "true", "1", "" -> true;
      case "false", "0" -> false;
      default ->
          throw new BadParameterException(
              name + " must be true or false, got " + Excerpts.quote(value));
    };
  }

  private static String format(String given, String accept, boolean follow) {
    String format = given;
    if (format == null) {
      if (accept != null && accept.contains("text/event-stream")) {
        format = "sse";
      } else if (accept != null && accept.contains("application/x-ndjson")) {
        format = "jsonl";
      } else {
        format = follow ? "jsonl" : "json";
      }
    }
    if (follow && !format.equals("jsonl") && !format.equals("sse")) {
      throw new BadParameterException(
          "follow=true streams format=jsonl or format=sse, not " + Excerpts.quote(format));
    }
    if (!follow && !format.equals("json") && !format.equals("jsonl")) {
      throw new BadParameterException(
          "format must be json or jsonl (sse needs follow=true), got " + Excerpts.quote(format));
    }
    return format;
  }
}
