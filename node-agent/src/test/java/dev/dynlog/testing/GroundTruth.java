package dev.dynlog.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One call of a traced function as the target itself printed it (one JSON line, see {@code
 * src/test/targets/README.md}).
 *
 * @param fn qualified function name as in DWARF
 * @param signature the overload's signature for overloaded C++ functions, else null
 * @param goid goroutine id (Go targets), else -1
 * @param args argument name → value, in declaration order (receiver / {@code this} first)
 * @param results result name → value in order (Go: {@code ~r0} or the named result; C++: {@code
 *     $0}); empty when the call panicked
 * @param panic when the call did not return: the Go panic's or the C++ exception's message; else
 *     null
 */
public record GroundTruth(
    String fn, String signature, long goid, ObjectNode args, ObjectNode results, String panic) {
  /** Parses one ground-truth line already read as JSON. */
  static GroundTruth of(JsonNode line) {
    if (!line.path("fn").isTextual() || !line.path("args").isObject()) {
      throw new IllegalArgumentException(
          "not a ground-truth line (needs \"fn\" and \"args\"): " + line);
    }
    boolean panicked = line.has("panic");
    if (!panicked && !line.path("results").isObject()) {
      throw new IllegalArgumentException(
          "ground-truth line has neither \"results\" nor \"panic\": " + line);
    }
    return new GroundTruth(
        line.get("fn").asText(),
        line.path("signature").isTextual() ? line.get("signature").asText() : null,
        line.path("goid").asLong(-1),
        (ObjectNode) line.get("args"),
        panicked ? JsonNodeFactory.instance.objectNode() : (ObjectNode) line.get("results"),
        panicked ? line.get("panic").asText() : null);
  }

  /** The named argument. */
  public JsonNode arg(String name) {
    JsonNode v = args.get(name);
    if (v == null) {
      throw new IllegalArgumentException(
          fn + " has no argument " + name + "; it has " + names(args));
    }
    return v;
  }

  /** The {@code index}-th result ({@code $index} in dynlog expressions). */
  public JsonNode result(int index) {
    List<Map.Entry<String, JsonNode>> all = new ArrayList<>();
    results.fields().forEachRemaining(all::add);
    if (index < 0 || index >= all.size()) {
      throw new IllegalArgumentException(
          fn + " has no result $" + index + "; it has " + all.size() + " results");
    }
    return all.get(index).getValue();
  }

  /** The named result (Go named results or {@code ~rN}). */
  public JsonNode result(String name) {
    JsonNode v = results.get(name);
    if (v == null) {
      throw new IllegalArgumentException(
          fn + " has no result " + name + "; it has " + names(results));
    }
    return v;
  }

  /** Whether the call panicked (Go) or threw (C++) instead of returning. */
  public boolean panicked() {
    return panic != null;
  }

  private static List<String> names(ObjectNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }
}
