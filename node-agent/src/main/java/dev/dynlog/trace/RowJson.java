package dev.dynlog.trace;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSONL row format shared by {@code dynlog trace --output jsonl}, the query API and {@code
 * dynlog events}: one JSON object per call with the keys {@code ts} (RFC 3339, nanoseconds, UTC),
 * {@code pid}, {@code tid}, {@code goid} (Go only), {@code function}, {@code latency_ns} (when
 * measured), {@code captures} (name → JSON value) and {@code errors} (name → message, only when a
 * value could not be read). Non-finite floats are written as the strings {@code "NaN"}, {@code
 * "Infinity"} and {@code "-Infinity"}.
 */
public final class RowJson {

  private static final JsonFactory FACTORY = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);
  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.").withZone(ZoneOffset.UTC);

  /** The formatted text of one whole second: rows come in bursts within the same second. */
  private record SecondText(long epochSecond, String text) {}

  private static volatile SecondText lastSecond = new SecondText(Long.MIN_VALUE, "");

  private RowJson() {}

  /** The row as one line of JSON (no newline). */
  public static String toJson(Row row) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(g, row);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Writes the row as one JSON object to {@code g}. */
  public static void write(JsonGenerator g, Row row) throws IOException {
    g.writeStartObject();
    g.writeStringField("ts", formatTimestamp(row.epochNanos()));
    g.writeNumberField("pid", row.pid());
    g.writeNumberField("tid", row.tid());
    if (row.goid() != -1) g.writeNumberField("goid", row.goid());
    g.writeStringField("function", row.function());
    Row.Source s = row.source();
    if (s != null) {
      g.writeStringField("namespace", s.namespace());
      g.writeStringField("pod", s.pod());
      g.writeStringField("container", s.container());
      g.writeStringField("node", s.node());
    }
    if (row.latencyNs() != -1) g.writeNumberField("latency_ns", row.latencyNs());
    g.writeObjectFieldStart("captures");
    if (row.captures() != null) {
      for (Map.Entry<String, Object> e : row.captures().entrySet()) {
        g.writeFieldName(e.getKey());
        writeValue(g, e.getValue());
      }
    }
    g.writeEndObject();
    if (row.errors() != null && !row.errors().isEmpty()) {
      g.writeObjectFieldStart("errors");
      for (Map.Entry<String, String> e : row.errors().entrySet())
        g.writeStringField(e.getKey(), e.getValue());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  /** Writes one captured value as JSON. */
  public static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Long
        || v instanceof Integer
        || v instanceof Short
        || v instanceof Byte) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof BigInteger b) {
      g.writeNumber(b);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isFinite(d)) g.writeNumber(d);
      else g.writeString(Double.toString(d));
    } else if (v instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof List<?> list) {
      g.writeStartArray();
      for (Object o : list) writeValue(g, o);
      g.writeEndArray();
    } else {
      g.writeString(v.toString());
    }
  }

  /** One captured value as compact JSON text. */
  public static String valueToJson(Object v) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      writeValue(g, v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * Parses one JSON row.
   *
   * @param tracepoint the tracepoint the row belongs to (not part of the JSON)
   * @throws IllegalArgumentException when the line is not a row
   */
  public static Row fromJson(String line, String tracepoint) {
    JsonNode node;
    try {
      node = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "not a JSON row: " + abbreviate(line) + " (" + e.getOriginalMessage() + ")");
    }
    return fromJson(node, tracepoint);
  }

  /** Converts a parsed JSON row. */
  public static Row fromJson(JsonNode node, String tracepoint) {
    if (node == null
        || !node.isObject()
        || !node.has("ts")
        || !node.has("pid")
        || !node.has("function")) {
      throw new IllegalArgumentException(
          "not a JSON row (needs ts, pid, function): " + abbreviate(String.valueOf(node)));
    }
    Map<String, Object> captures = new LinkedHashMap<>();
    JsonNode c = node.path("captures");
    for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      captures.put(e.getKey(), toValue(e.getValue()));
    }
    Map<String, String> errors = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.path("errors").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      errors.put(e.getKey(), e.getValue().asText());
    }
    return new Row(
        tracepoint,
        parseTimestamp(node.get("ts").asText()),
        node.get("pid").asInt(),
        node.path("tid").asInt(0),
        node.has("goid") ? node.get("goid").asLong() : -1,
        node.get("function").asText(),
        node.has("latency_ns") ? node.get("latency_ns").asLong() : -1,
        captures,
        errors,
        node.has("pod")
            ? new Row.Source(
                node.path("namespace").asText(null),
                node.path("pod").asText(null),
                node.path("container").asText(null),
                node.path("node").asText(null))
            : null);
  }

  private static Object toValue(JsonNode n) {
    if (n.isNull()) return null;
    if (n.isTextual()) return n.textValue();
    if (n.isBoolean()) return n.booleanValue();
    if (n.isIntegralNumber())
      return n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue();
    if (n.isNumber()) return n.doubleValue();
    if (n.isArray()) {
      List<Object> list = new ArrayList<>(n.size());
      for (JsonNode e : n) list.add(toValue(e));
      return list;
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      map.put(e.getKey(), toValue(e.getValue()));
    }
    return map;
  }

  /** RFC 3339 with nine fraction digits, UTC. */
  public static String formatTimestamp(long epochNanos) {
    long second = Math.floorDiv(epochNanos, 1_000_000_000L);
    int nanos = (int) Math.floorMod(epochNanos, 1_000_000_000L);
    SecondText prefix = lastSecond;
    if (prefix.epochSecond() != second) {
      prefix = new SecondText(second, SECOND.format(Instant.ofEpochSecond(second)));
      lastSecond = prefix;
    }
    String head = prefix.text();
    char[] out = new char[head.length() + 10];
    head.getChars(0, head.length(), out, 0);
    for (int i = head.length() + 8; i >= head.length(); i--) {
      out[i] = (char) ('0' + nanos % 10);
      nanos /= 10;
    }
    out[out.length - 1] = 'Z';
    return new String(out);
  }

  /** Parses an RFC 3339 time to nanoseconds since the Unix epoch. */
  public static long parseTimestamp(String ts) {
    try {
      Instant i = OffsetDateTime.parse(ts).toInstant();
      return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an RFC 3339 time: '" + ts + "'");
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
