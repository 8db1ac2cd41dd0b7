package dev.dynlog.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.dynlog.plan.Capture;
import dev.dynlog.query.BadQueryException;
import dev.dynlog.query.Durations;
import dev.dynlog.store.LabelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a {@code dynlog run -f} file: one or more YAML documents, each a {@code Tracepoint} (or its
 * bare spec) in the custom resource's spec format, with a {@code pid} or {@code executable} target
 * instead of a pod selector:
 *
 * <pre>
 * apiVersion: dynlog.dev/v1alpha1
 * kind: Tracepoint
 * metadata:
 *   name: login
 * spec:
 *   target:
 *     executable: /usr/local/bin/checkout   # or pid: 1234
 *   function: main.(*Server).Login
 *   capture:
 *     - name: user
 *       expr: username
 *   latency: true
 *   ttl: 10m
 *   limits:
 *     maxEventsPerSecond: 1000
 *     maxStringBytes: 128
 *     sampleRatio: 1.0
 *   metricLabels:                          # captures counted per value in dynlog_rows_total
 *     - capture: user
 *       maxValues: 20                      # further values count as "other"
 * </pre>
 */
public final class SpecFile {

  /** Default time to live, as for the custom resource. */
  public static final Duration DEFAULT_TTL = Duration.ofHours(1);
  /** Default bytes copied per string, as for the custom resource. */
  public static final int DEFAULT_STRING_BYTES = 128;

  private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec");
  private static final Set<String> SPEC = Set.of("target", "function", "capture", "latency", "ttl", "limits", "metricLabels");
  private static final Set<String> LABEL = Set.of("capture", "maxValues");
  private static final Set<String> TARGET = Set.of("pid", "executable");
  private static final Set<String> CAPTURE = Set.of("name", "expr");
  private static final Set<String> LIMITS = Set.of("maxEventsPerSecond", "maxStringBytes", "maxCollectionElements", "sampleRatio");

  private final Path file;

  private SpecFile(Path file) {
    this.file = file;
  }

  /** Reads every tracepoint of a file; the exception names the file, document and field at fault. */
  public static List<TracepointRequest> read(Path file) throws SpecException {
    return new SpecFile(file).read();
  }

  private List<TracepointRequest> read() throws SpecException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new SpecException(file + ": no such file");
    } catch (IOException e) {
      throw new SpecException(file + ": " + e.getMessage());
    }
    List<TracepointRequest> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    try (MappingIterator<JsonNode> docs = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class).readValues(text)) {
      int index = 0;
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        index++;
        if (doc == null || doc.isNull() || doc.isMissingNode()) continue;
        TracepointRequest r = document(doc, "document " + index);
        if (!names.add(r.name())) throw new SpecException(file + ": two tracepoints are named '" + r.name() + "'");
        out.add(r);
      }
    } catch (IOException | RuntimeException e) {
      throw new SpecException(file + ": not valid YAML: " + firstLine(e.getMessage()));
    }
    if (out.isEmpty()) throw new SpecException(file + ": no tracepoint in the file");
    return out;
  }

  private TracepointRequest document(JsonNode doc, String where) throws SpecException {
    if (!doc.isObject()) throw error(where, "is not a mapping");
    JsonNode spec = doc;
    String name = null;
    if (doc.has("spec")) {
      onlyKnown(doc, TOP, where);
      String kind = text(doc, "kind", where);
      if (kind != null && !kind.equals("Tracepoint")) throw error(where, "kind is '" + kind + "', expected Tracepoint");
      String api = text(doc, "apiVersion", where);
      if (api != null && !api.startsWith("dynlog.dev/")) throw error(where, "apiVersion is '" + api + "', expected dynlog.dev/v1alpha1");
      JsonNode meta = doc.get("metadata");
      if (meta != null && meta.has("name")) name = text(meta, "name", where + " metadata");
      spec = doc.get("spec");
      where = where + (name != null ? " (" + name + ")" : "") + " spec";
      if (!spec.isObject()) throw error(where, "is not a mapping");
    }
    onlyKnown(spec, SPEC, where);

    JsonNode target = spec.get("target");
    if (target == null || !target.isObject()) throw error(where, "needs target: {pid: N} or {executable: PATH}");
    onlyKnown(target, TARGET, where + ".target");
    int pid = -1;
    Path exe = null;
    if (target.has("pid")) {
      if (!target.get("pid").canConvertToInt() || target.get("pid").asInt() <= 0) throw error(where + ".target.pid", "must be a positive process id");
      pid = target.get("pid").asInt();
    }
    if (target.has("executable")) exe = Path.of(text(target, "executable", where + ".target"));
    if ((pid > 0) == (exe != null)) throw error(where + ".target", "give exactly one of pid or executable");

    String function = text(spec, "function", where);
    if (function == null || function.isBlank()) throw error(where, "needs a function");

    List<Capture> captures = new ArrayList<>();
    JsonNode caps = spec.get("capture");
    if (caps != null) {
      if (!caps.isArray()) throw error(where + ".capture", "must be a list of {name, expr}");
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < caps.size(); i++) {
        JsonNode c = caps.get(i);
        String cw = where + ".capture[" + i + "]";
        if (!c.isObject()) throw error(cw, "must be {name, expr}");
        onlyKnown(c, CAPTURE, cw);
        String expr = text(c, "expr", cw);
        if (expr == null || expr.isBlank()) throw error(cw, "needs expr");
        String cname = c.has("name") ? text(c, "name", cw) : expr;
        if (!seen.add(cname)) throw error(cw, "capture name '" + cname + "' is used twice");
        captures.add(new Capture(cname, expr));
      }
    }
    boolean latency = spec.has("latency") && bool(spec, "latency", where);
    Duration ttl = DEFAULT_TTL;
    if (spec.has("ttl")) ttl = duration(text(spec, "ttl", where), where + ".ttl");

    long maxEvents = 0;
    double ratio = 1.0;
    int stringBytes = DEFAULT_STRING_BYTES;
    JsonNode limits = spec.get("limits");
    if (limits != null) {
      String lw = where + ".limits";
      if (!limits.isObject()) throw error(lw, "is not a mapping");
      onlyKnown(limits, LIMITS, lw);
      if (limits.has("maxEventsPerSecond")) maxEvents = positiveInt(limits, "maxEventsPerSecond", lw, 1_000_000);
      if (limits.has("maxStringBytes")) stringBytes = (int) positiveInt(limits, "maxStringBytes", lw, 4096);
      if (limits.has("sampleRatio")) {
        JsonNode r = limits.get("sampleRatio");
        if (!r.isNumber() || !(r.asDouble() > 0 && r.asDouble() <= 1)) throw error(lw + ".sampleRatio", "must be a number in (0, 1]");
        ratio = r.asDouble();
      }
    }
    List<LabelSpec> labels = new ArrayList<>();
    JsonNode ls = spec.get("metricLabels");
    if (ls != null) {
      if (!ls.isArray()) throw error(where + ".metricLabels", "must be a list of {capture, maxValues}");
      for (int i = 0; i < ls.size(); i++) {
        String lw = where + ".metricLabels[" + i + "]";
        JsonNode l = ls.get(i);
        if (!l.isObject()) throw error(lw, "must be {capture, maxValues}");
        onlyKnown(l, LABEL, lw);
        String capture = text(l, "capture", lw);
        int max = l.has("maxValues") ? (int) positiveInt(l, "maxValues", lw, LabelSpec.MAX_VALUES_LIMIT) : 20;
        try {
          labels.add(new LabelSpec(capture, max));
        } catch (IllegalArgumentException e) {
          throw error(lw, e.getMessage());
        }
      }
    }
    try {
      return new TracepointRequest(name, pid, exe, function, captures, latency, ttl, maxEvents, ratio, stringBytes, labels);
    } catch (IllegalArgumentException e) {
      throw error(where, e.getMessage());
    }
  }

  private SpecException error(String where, String what) {
    return new SpecException(file + ": " + where + " " + what);
  }

  private void onlyKnown(JsonNode node, Set<String> known, String where) throws SpecException {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        throw error(where, "has an unknown field '" + f + "'; fields are " + String.join(", ", known.stream().sorted().toList()));
      }
    }
  }

  private String text(JsonNode node, String field, String where) throws SpecException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) return null;
    if (!v.isValueNode()) throw error(where + "." + field, "must be a string");
    return v.asText();
  }

  private boolean bool(JsonNode node, String field, String where) throws SpecException {
    JsonNode v = node.get(field);
    if (!v.isBoolean()) throw error(where + "." + field, "must be true or false");
    return v.asBoolean();
  }

  private long positiveInt(JsonNode node, String field, String where, long max) throws SpecException {
    JsonNode v = node.get(field);
    if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > max) {
      throw error(where + "." + field, "must be an integer from 1 to " + max);
    }
    return v.asLong();
  }

  private Duration duration(String text, String where) throws SpecException {
    if (text == null) throw error(where, "must be a duration such as 30s, 10m or 1h");
    try {
      long ns = Durations.parseNanos(text, where);
      if (ns <= 0) throw error(where, "must be positive");
      return Duration.ofNanos(ns);
    } catch (BadQueryException e) {
      throw new SpecException(file + ": " + e.getMessage());
    }
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** A spec file that cannot be used; the message names the file, document and field. */
  public static final class SpecException extends Exception {
    public SpecException(String message) {
      super(message);
    }
  }
}
