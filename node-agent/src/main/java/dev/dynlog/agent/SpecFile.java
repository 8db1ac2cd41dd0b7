package dev.dynlog.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import dev.dynlog.api.v1alpha1.SpecChecks;
import dev.dynlog.api.v1alpha1.SpecProblem;
import dev.dynlog.api.v1alpha1.TracepointSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads a {@code dynlog run -f} file: one or more YAML documents, each a {@code Tracepoint} (or its
 * bare spec). The spec is exactly the custom resource's ({@link TracepointSpec}, with the same
 * defaults and bounds, checked by the same {@link SpecChecks} as the operator's), except its
 * target: {@code {pid: N}} or {@code {executable: PATH}} instead of a pod selector.
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
 *   ttl: 10m                                # 5s..24h, default 1h
 *   limits:                                 # defaults: 100, 128, 16, 1.0
 *     maxEventsPerSecond: 1000
 *     maxStringBytes: 128
 *     maxCollectionElements: 16
 *     sampleRatio: 1.0
 *   metricLabels:                           # captures counted per value in dynlog_rows_total
 *     - capture: user
 *       maxValues: 20                       # further values count as "other"
 * </pre>
 */
public final class SpecFile {

  private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec");
  private static final Set<String> METADATA = Set.of("name", "namespace", "labels", "annotations");
  private static final Set<String> TARGET = Set.of("pid", "executable");

  /** Strict as the API server is: no unknown fields, no strings for numbers or booleans. */
  private static final ObjectMapper SPEC_MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .build();

  private final Path file;

  private SpecFile(Path file) {
    this.file = file;
  }

  /**
   * Reads every tracepoint of a file; the exception names the file, document and field at fault.
   */
  public static List<StandaloneTracepoint> read(Path file) throws SpecException {
    return new SpecFile(file).read();
  }

  private List<StandaloneTracepoint> read() throws SpecException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new SpecException(file + ": no such file");
    } catch (IOException e) {
      throw new SpecException(file + ": " + e.getMessage());
    }
    List<StandaloneTracepoint> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    try (MappingIterator<JsonNode> docs =
        new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class).readValues(text)) {
      int index = 0;
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        index++;
        if (doc == null || doc.isNull() || doc.isMissingNode()) continue;
        StandaloneTracepoint t = document(doc, "document " + index);
        if (!names.add(t.name()))
          throw new SpecException(file + ": two tracepoints are named '" + t.name() + "'");
        out.add(t);
      }
    } catch (IOException | RuntimeException e) {
      throw new SpecException(file + ": not valid YAML: " + firstLine(e.getMessage()));
    }
    if (out.isEmpty()) throw new SpecException(file + ": no tracepoint in the file");
    return out;
  }

  private StandaloneTracepoint document(JsonNode doc, String where) throws SpecException {
    if (!doc.isObject()) throw error(where, "is not a mapping");
    JsonNode specNode = doc;
    String name = null;
    if (doc.has("spec")) {
      onlyKnown(doc, TOP, where);
      String kind = text(doc, "kind", where);
      if (kind != null && !kind.equals("Tracepoint"))
        throw error(where, "kind is '" + kind + "', expected Tracepoint");
      String api = text(doc, "apiVersion", where);
      if (api != null && !api.equals("dynlog.dev/v1alpha1")) {
        throw error(where, "apiVersion is '" + api + "', expected dynlog.dev/v1alpha1");
      }
      JsonNode meta = doc.get("metadata");
      if (meta != null) {
        if (!meta.isObject()) throw error(where + " metadata", "is not a mapping");
        onlyKnown(meta, METADATA, where + " metadata");
        if (meta.has("name")) name = text(meta, "name", where + " metadata");
      }
      specNode = doc.get("spec");
      if (!specNode.isObject())
        throw error(where + (name != null ? " (" + name + ")" : "") + " spec", "is not a mapping");
    }
    String at = where + (name != null ? " (" + name + ")" : "");
    ObjectNode spec = ((ObjectNode) specNode).deepCopy();
    JsonNode target = spec.remove("target");
    int pid = -1;
    Path exe = null;
    if (target == null || !target.isObject())
      throw error(at + " spec", "needs target: {pid: N} or {executable: PATH}");
    if (target.has("selector")) {
      throw error(
          at + " spec.target",
          "selects pods, which only the operator does; give {pid: N} or {executable: PATH}"
              + " (or apply the Tracepoint with kubectl)");
    }
    onlyKnown(target, TARGET, at + " spec.target");
    if (target.has("pid")) {
      JsonNode p = target.get("pid");
      if (!p.isIntegralNumber() || !p.canConvertToInt() || p.asInt() <= 0)
        throw error(at + " spec.target.pid", "must be a positive process id");
      pid = p.asInt();
    }
    if (target.has("executable")) {
      String e = text(target, "executable", at + " spec.target");
      if (e == null || e.isBlank()) throw error(at + " spec.target.executable", "must be a path");
      exe = Path.of(e);
    }
    if ((pid > 0) == (exe != null))
      throw error(at + " spec.target", "give exactly one of pid or executable");

    TracepointSpec parsed = parse(spec, at);
    List<SpecProblem> problems = SpecChecks.problems(parsed);
    if (!problems.isEmpty()) {
      throw new SpecException(
          file
              + ": "
              + at
              + " "
              + problems.stream().map(SpecProblem::message).collect(Collectors.joining("; ")));
    }
    return new StandaloneTracepoint(name, pid, exe, ProbeSpec.of(parsed), SpecChecks.ttl(parsed));
  }

  /**
   * Maps the spec (without its target) onto the resource's model, as strictly as the API server.
   */
  private TracepointSpec parse(ObjectNode spec, String at) throws SpecException {
    try {
      return SPEC_MAPPER.treeToValue(spec, TracepointSpec.class);
    } catch (UnrecognizedPropertyException e) {
      Set<String> known = new TreeSet<>();
      for (Object k : e.getKnownPropertyIds()) known.add(k.toString());
      if (path(e).equals("spec")) known.add("target");
      throw error(
          at + " " + path(e),
          "has an unknown field '"
              + e.getPropertyName()
              + "'; fields are "
              + String.join(", ", known));
    } catch (JsonMappingException e) {
      throw error(at + " " + path(e), "has the wrong type: " + firstLine(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw error(at + " spec", firstLine(e.getOriginalMessage()));
    }
  }

  /** The path of the field at fault, e.g. {@code spec.limits} or {@code spec.capture[1]}. */
  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder("spec");
    List<JsonMappingException.Reference> refs = e.getPath();
    int end = e instanceof UnrecognizedPropertyException ? refs.size() - 1 : refs.size();
    for (int i = 0; i < end; i++) {
      JsonMappingException.Reference r = refs.get(i);
      if (r.getFieldName() != null) sb.append('.').append(r.getFieldName());
      else if (r.getIndex() >= 0) sb.append('[').append(r.getIndex()).append(']');
    }
    return sb.toString();
  }

  private SpecException error(String where, String what) {
    return new SpecException(file + ": " + where + " " + what);
  }

  private void onlyKnown(JsonNode node, Set<String> known, String where) throws SpecException {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        throw error(
            where,
            "has an unknown field '"
                + f
                + "'; fields are "
                + String.join(", ", new TreeSet<>(known)));
      }
    }
  }

  private String text(JsonNode node, String field, String where) throws SpecException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) return null;
    if (!v.isTextual()) throw error(where + "." + field, "must be a string");
    return v.asText();
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
