package dev.dynlog.agent;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.dynlog.api.expr.ExprParser;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import dev.dynlog.api.v1alpha1.SpecChecks;
import dev.dynlog.api.v1alpha1.SpecProblem;
import dev.dynlog.api.v1alpha1.TracepointSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

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
 *
 * <p>Input is bounded before anything is parsed or attached: only a regular file of at most {@link
 * #MAX_FILE_BYTES} bytes of UTF-8, at most {@link #MAX_DOCUMENTS} YAML documents and {@link
 * #MAX_TRACEPOINTS} tracepoints (the tracer's probe ids), nesting at most {@link #MAX_NESTING}
 * levels, strings at most {@link #MAX_STRING_LENGTH} characters (fewer where the resource's field
 * allows fewer). Every error is one line naming the file, the document or line and column, and the
 * field; it quotes at most a short excerpt of what the file says.
 */
public final class SpecFile {

  /** Largest spec file read, in bytes: 1 MiB. */
  public static final int MAX_FILE_BYTES = 1 << 20;

  /** Most YAML documents in one file, empty ones included. */
  public static final int MAX_DOCUMENTS = 1024;

  /**
   * Most tracepoints in one file: as many as one tracer has probe ids ({@code
   * recipe.RecipeLimits.MAX_PROBES}; {@code SpecFileTest} checks they agree), so a file that cannot
   * run whole is refused before anything is attached.
   */
  public static final int MAX_TRACEPOINTS = 512;

  /** Deepest nesting of mappings and lists (a spec needs 4). */
  public static final int MAX_NESTING = 64;

  /** Longest string anywhere in a spec: an executable path ({@code PATH_MAX}). */
  public static final int MAX_STRING_LENGTH = 4096;

  /** Longest {@code metadata.name}, as in Kubernetes (a DNS subdomain). */
  public static final int MAX_NAME_LENGTH = 253;

  /** Longest {@code spec.ttl} text ({@code 1h30m} is 5). */
  public static final int MAX_TTL_LENGTH = 32;

  /** Longest field name anywhere in a spec. */
  private static final int MAX_FIELD_NAME_LENGTH = 256;

  /** The strings the resource bounds more tightly than {@link #MAX_STRING_LENGTH}, by path. */
  private static final Map<String, Integer> FIELD_LENGTHS =
      Map.of(
          "metadata.name", MAX_NAME_LENGTH,
          "spec.function", TracepointSpec.MAX_FUNCTION_LENGTH,
          "spec.ttl", MAX_TTL_LENGTH,
          "spec.capture[].name", Capture.MAX_NAME_LENGTH,
          "spec.capture[].expr", ExprParser.MAX_LENGTH,
          "spec.metricLabels[].capture", Capture.MAX_NAME_LENGTH);

  /** Problems of one document listed in its message; the rest are counted. */
  private static final int MAX_PROBLEMS_SHOWN = 3;

  /** Characters of a value that a message quotes at most. */
  private static final int QUOTE_LENGTH = 60;

  private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec");
  private static final Set<String> METADATA = Set.of("name", "namespace", "labels", "annotations");
  private static final Set<String> TARGET = Set.of("pid", "executable");

  /** Reads YAML documents as trees, bounded in nesting; a key given twice is an error. */
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxNestingDepth(MAX_NESTING)
                      .maxStringLength(MAX_FILE_BYTES)
                      .build())
              .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
              .build());

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

  /**
   * Refuses YAML aliases ({@code *name}): the reader would take them for the anchor's name, a
   * silently wrong value, and the API server does not accept them in a resource either.
   */
  private void refuseAliases(String text) throws SpecException {
    try (JsonParser p = YAML.getFactory().createParser(text)) {
      while (p.nextToken() != null) {
        if (p instanceof YAMLParser y && y.isCurrentAlias()) {
          JsonLocation at = p.currentTokenLocation();
          throw new SpecException(
              file
                  + ": line "
                  + at.getLineNr()
                  + ", column "
                  + at.getColumnNr()
                  + ": YAML aliases (*name) are not supported; write the value out");
        }
      }
    } catch (IOException | RuntimeException e) {
      // not valid YAML: the reader below says where
    }
  }

  private List<StandaloneTracepoint> read() throws SpecException {
    String text = decode(load());
    refuseAliases(text);
    List<StandaloneTracepoint> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(text)) {
      int index = 0;
      while (true) {
        JsonNode doc;
        int line;
        try {
          if (!docs.hasNext()) break;
          index++;
          line = docs.getParser().currentTokenLocation().getLineNr();
          if (index > MAX_DOCUMENTS) {
            throw new SpecException(
                file
                    + ": more than "
                    + MAX_DOCUMENTS
                    + " YAML documents (document "
                    + index
                    + " starts at line "
                    + line
                    + "); a spec file holds at most "
                    + MAX_DOCUMENTS);
          }
          doc = docs.next();
        } catch (RuntimeException e) { // the iterator wraps the parser's errors
          throw new SpecException(file + ": not valid YAML" + yamlProblem(e, text));
        }
        if (isEmpty(doc)) continue;
        if (out.size() == MAX_TRACEPOINTS) {
          throw new SpecException(
              file
                  + ": more than "
                  + MAX_TRACEPOINTS
                  + " tracepoints (the next one is document "
                  + index
                  + " at line "
                  + line
                  + "); dynlog runs at most "
                  + MAX_TRACEPOINTS
                  + " at a time: split the file");
        }
        StandaloneTracepoint t = document(doc, "document " + index);
        if (!names.add(t.name()))
          throw new SpecException(file + ": two tracepoints are named " + quote(t.name()));
        out.add(t);
      }
    } catch (IOException e) {
      throw new SpecException(file + ": not valid YAML" + yamlProblem(e, text));
    }
    if (out.isEmpty()) throw new SpecException(file + ": no tracepoint in the file");
    return out;
  }

  /** An empty document ({@code ---} followed by nothing, or comments only) reads as "". */
  private static boolean isEmpty(JsonNode doc) {
    return doc == null
        || doc.isNull()
        || doc.isMissingNode()
        || (doc.isTextual() && doc.asText().isEmpty());
  }

  /**
   * The bytes of the file, which must be a regular file of at most {@link #MAX_FILE_BYTES} bytes: a
   * device such as {@code /dev/zero}, a pipe or a directory is refused before reading.
   */
  private byte[] load() throws SpecException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new SpecException(file + ": no such file");
    } catch (IOException e) {
      throw new SpecException(file + ": cannot read it: " + reason(e));
    }
    if (attrs.isDirectory()) throw new SpecException(file + ": is a directory, not a spec file");
    if (!attrs.isRegularFile()) {
      throw new SpecException(
          file + ": is not a regular file (a device, pipe or socket); give a YAML file");
    }
    if (attrs.size() > MAX_FILE_BYTES) throw tooLarge(attrs.size());
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1); // the file may have grown since
    } catch (IOException e) {
      throw new SpecException(file + ": cannot read it: " + reason(e));
    }
    if (bytes.length > MAX_FILE_BYTES) throw tooLarge(bytes.length);
    return bytes;
  }

  private SpecException tooLarge(long size) {
    return new SpecException(
        file
            + ": is "
            + size
            + " bytes; a spec file may have at most "
            + MAX_FILE_BYTES
            + " bytes (1 MiB)");
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) return "permission denied";
    if (e instanceof FileSystemException fse && fse.getReason() != null) return fse.getReason();
    return e.getMessage() == null ? "input/output error" : oneLine(e.getMessage());
  }

  /** The text of UTF-8 bytes (a leading byte-order mark dropped), or where it is not UTF-8. */
  private String decode(byte[] bytes) throws SpecException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) result = decoder.flush(out);
    if (result.isError()) {
      int line = 1;
      int column = 1;
      for (int i = 0; i < out.position(); i++) {
        if (out.get(i) == '\n') {
          line++;
          column = 1;
        } else {
          column++;
        }
      }
      throw new SpecException(
          String.format(
              "%s: is not UTF-8 text: byte 0x%02x at line %d, column %d",
              file, bytes[in.position()] & 0xff, line, column));
    }
    out.flip();
    String text = out.toString();
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  /**
   * Where and why the YAML parser gave up: {@code at line L, column C: PROBLEM}, from the parser's
   * marks (lines and columns count from 1).
   */
  private static String yamlProblem(Throwable e, String text) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof MarkedYAMLException m) {
        StringBuilder sb = new StringBuilder(at(m.getProblemMark()));
        sb.append(": ").append(oneLine(m.getProblem()));
        if (m.getContext() != null) {
          sb.append(" (").append(oneLine(m.getContext()));
          sb.append(at(m.getContextMark()));
          sb.append(')');
        }
        return sb.toString();
      }
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof StreamConstraintsException) {
        return deepestLine(text)
            + ": mappings and lists nested deeper than "
            + MAX_NESTING
            + " levels";
      }
      if (c instanceof JsonProcessingException j) {
        JsonLocation l = j.getLocation();
        String where =
            l == null || l.getLineNr() < 1
                ? ""
                : " at line " + l.getLineNr() + ", column " + l.getColumnNr();
        return where + ": " + oneLine(j.getOriginalMessage());
      }
    }
    return ": " + oneLine(e.getMessage());
  }

  /**
   * {@code at line L} for the first line that opens more than {@link #MAX_NESTING} flow brackets or
   * is indented more than {@link #MAX_NESTING} levels (the parser's own error carries no position),
   * or "" when none does.
   */
  private static String deepestLine(String text) {
    int line = 1;
    int depth = 0;
    int indent = 0;
    boolean atLineStart = true;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
        indent = 0;
        atLineStart = true;
        continue;
      }
      if (atLineStart && c == ' ') {
        if (++indent > 2 * MAX_NESTING) return " at line " + line;
        continue;
      }
      atLineStart = false;
      if (c == '[' || c == '{') depth++;
      else if ((c == ']' || c == '}') && depth > 0) depth--;
      if (depth > MAX_NESTING) return " at line " + line;
    }
    return "";
  }

  private static String at(Mark mark) {
    return mark == null
        ? ""
        : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
  }

  private StandaloneTracepoint document(JsonNode doc, String where) throws SpecException {
    if (!doc.isObject()) throw error(where, "is not a mapping but " + describe(doc));
    bounded(doc, doc.has("spec") ? "" : "spec", where);
    JsonNode specNode = doc;
    String name = null;
    if (doc.has("spec")) {
      onlyKnown(doc, TOP, where);
      String kind = text(doc, "kind", where);
      if (kind != null && !kind.equals("Tracepoint"))
        throw error(where, "kind is " + quote(kind) + ", expected Tracepoint");
      String api = text(doc, "apiVersion", where);
      if (api != null && !api.equals("dynlog.dev/v1alpha1")) {
        throw error(where, "apiVersion is " + quote(api) + ", expected dynlog.dev/v1alpha1");
      }
      JsonNode meta = doc.get("metadata");
      if (meta != null) {
        if (!meta.isObject()) throw error(where + " metadata", "is not a mapping");
        onlyKnown(meta, METADATA, where + " metadata");
        if (meta.has("name")) name = text(meta, "name", where + " metadata");
      }
      specNode = doc.get("spec");
      if (!specNode.isObject()) throw error(where + label(name) + " spec", "is not a mapping");
    }
    String at = where + label(name);
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
      try {
        exe = Path.of(e);
      } catch (InvalidPathException bad) {
        throw error(at + " spec.target.executable", "is not a path: " + oneLine(bad.getReason()));
      }
    }
    if ((pid > 0) == (exe != null))
      throw error(at + " spec.target", "give exactly one of pid or executable");

    TracepointSpec parsed = parse(spec, at);
    List<SpecProblem> problems = SpecChecks.problems(parsed);
    if (!problems.isEmpty()) {
      StringBuilder sb = new StringBuilder(file + ": " + at + " ");
      for (int i = 0; i < Math.min(problems.size(), MAX_PROBLEMS_SHOWN); i++) {
        if (i > 0) sb.append("; ");
        sb.append(oneLine(problems.get(i).message()));
      }
      if (problems.size() > MAX_PROBLEMS_SHOWN) {
        sb.append("; and ").append(problems.size() - MAX_PROBLEMS_SHOWN).append(" more problems");
      }
      throw new SpecException(sb.toString());
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
          "has an unknown field "
              + quote(e.getPropertyName())
              + "; fields are "
              + String.join(", ", known));
    } catch (MismatchedInputException e) {
      throw error(
          at + " " + path(e),
          "must be " + expected(e.getTargetType()) + ", not " + describe(node(spec, e.getPath())));
    } catch (JsonMappingException e) {
      throw error(
          at + " " + path(e), "has the wrong type (" + describe(node(spec, e.getPath())) + ")");
    } catch (JsonProcessingException e) {
      throw error(at + " spec", oneLine(e.getOriginalMessage()));
    }
  }

  /** The node at a mapping error's path in the spec, or null when it cannot be found. */
  private static JsonNode node(JsonNode spec, List<JsonMappingException.Reference> path) {
    JsonNode n = spec;
    for (JsonMappingException.Reference r : path) {
      if (n == null) return null;
      n = r.getFieldName() != null ? n.get(r.getFieldName()) : n.get(r.getIndex());
    }
    return n;
  }

  /** What the model wants, in YAML's words. */
  private static String expected(Class<?> type) {
    if (type == null) return "another kind of value";
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class)
      return "a whole number";
    if (type == Double.class || type == double.class || type == Float.class) return "a number";
    if (type == Boolean.class || type == boolean.class) return "true or false";
    if (type == String.class) return "a string";
    if (List.class.isAssignableFrom(type) || type.isArray()) return "a list";
    return "a mapping";
  }

  /** A value the file gave, in YAML's words: {@code the string 'x'}, {@code a list}... */
  private static String describe(JsonNode n) {
    if (n == null || n.isMissingNode()) return "what was given";
    if (n.isNull()) return "null";
    if (n.isTextual()) return "the string " + quote(n.asText());
    if (n.isBoolean()) return n.asText();
    if (n.isNumber()) {
      String text = n.asText();
      return "the number " + (text.length() <= QUOTE_LENGTH ? text : quote(text));
    }
    if (n.isArray()) return "a list";
    if (n.isObject()) return "a mapping";
    return "a " + n.getNodeType().name().toLowerCase(Locale.ROOT);
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
            "has an unknown field "
                + quote(f)
                + "; fields are "
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

  /**
   * Refuses what no spec needs before it reaches the model and its checks: field names longer than
   * {@link #MAX_FIELD_NAME_LENGTH}, strings longer than {@link #MAX_STRING_LENGTH} or than their
   * field allows ({@link #FIELD_LENGTHS}: the resource's own limits, so each field has one limit
   * whatever the input's size).
   *
   * @param path the node's path, e.g. {@code spec.capture[0]} ("" for a document's root)
   */
  private void bounded(JsonNode node, String path, String where) throws SpecException {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (f.getKey().length() > MAX_FIELD_NAME_LENGTH) {
          throw error(
              where + (path.isEmpty() ? "" : " " + path),
              "has a field name of "
                  + f.getKey().length()
                  + " characters: "
                  + quote(f.getKey())
                  + "; no field is named like that");
        }
        bounded(f.getValue(), path.isEmpty() ? f.getKey() : path + "." + f.getKey(), where);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) bounded(node.get(i), path + "[" + i + "]", where);
    } else if (node.isTextual()) {
      int max = FIELD_LENGTHS.getOrDefault(path.replaceAll("\\[\\d+]", "[]"), MAX_STRING_LENGTH);
      int length = node.asText().length();
      if (length > max) {
        throw error(where + " " + path, "is " + length + " characters long; at most " + max);
      }
    }
  }

  /** {@code (name)} after a document's number, the name cut short when long; "" for none. */
  private static String label(String name) {
    if (name == null) return "";
    String shown = name.length() <= QUOTE_LENGTH ? name : name.substring(0, QUOTE_LENGTH) + "…";
    return " (" + escape(shown) + ")";
  }

  /** First line only, control characters escaped, at most 200 characters. */
  private static String oneLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    String line = escape(yamlWords(nl < 0 ? s : s.substring(0, nl)));
    return line.length() <= 200 ? line : line.substring(0, 200) + "…";
  }

  /** The YAML parser's event classes in a message, e.g. {@code <...AliasEvent(anchor=a)>}. */
  private static final Pattern YAML_EVENT =
      Pattern.compile("<org\\.yaml\\.snakeyaml\\.events\\.(\\w+)Event\\(([^)]{0,80})\\)>");

  /** A message of the YAML reader in YAML's words rather than its classes' names. */
  private static String yamlWords(String s) {
    if (s.startsWith("Expected a field name (Scalar value in YAML), got this instead: ")) {
      s = "a mapping key must be a plain value, got " + s.substring(s.indexOf(": ") + 2);
    }
    Matcher m = YAML_EVENT.matcher(s);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String what =
          switch (m.group(1)) {
            case "MappingStart" -> "a mapping";
            case "SequenceStart" -> "a list";
            case "Alias" -> "an alias";
            case "Scalar" -> "a value";
            default -> "'" + m.group(1) + "'";
          };
      m.appendReplacement(sb, Matcher.quoteReplacement(what));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /**
   * A value in single quotes, at most {@link #QUOTE_LENGTH} characters of it (then {@code …} and
   * its length), control characters escaped.
   */
  private static String quote(String s) {
    if (s.length() <= QUOTE_LENGTH) return "'" + escape(s) + "'";
    return "'" + escape(s.substring(0, QUOTE_LENGTH)) + "…' (" + s.length() + " characters)";
  }

  private static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n') sb.append("\\n");
      else if (c == '\t') sb.append("\\t");
      else if (c == '\r') sb.append("\\r");
      else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029')
        sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    return sb.toString();
  }

  /** A spec file that cannot be used; the message names the file, document and field. */
  public static final class SpecException extends Exception {
    public SpecException(String message) {
      super(message);
    }
  }
}
