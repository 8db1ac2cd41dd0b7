package dev.dynlog.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.nio.charset.StandardCharsets;

/**
 * One captured value of an end-to-end trace and how it must relate to the target's own ground truth
 * for the same call.
 *
 * @param name the capture's name: an identifier, as a Tracepoint spec requires (a name given as an
 *     expression, such as {@code $1} or {@code req.User.Name}, becomes {@code res1}, {@code
 *     req_User_Name})
 * @param expr the capture expression given to dynlog
 * @param truthPath where the value sits in the ground-truth line: dotted names, {@code [i]} indexes
 * @param kind how captured and true values must compare
 */
record Check(String name, String expr, String truthPath, Kind kind) {

  Check {
    name = identifier(name);
  }

  /**
   * {@code $1} → {@code res1}, {@code req.User.Name} → {@code req_User_Name}, {@code len(xs)} →
   * {@code len_xs}.
   */
  static String identifier(String text) {
    String s = text.replace("$", "res").replace("~", "").replaceAll("[^A-Za-z0-9_]+", "_");
    s = s.replaceAll("^_+|_+$", "");
    return s.isEmpty() || Character.isDigit(s.charAt(0)) ? "v" + s : s;
  }

  enum Kind {
    /** Captured value equals the true value, JSON for JSON. */
    EXACT,
    /** A Go {@code error}: null exactly when the true error is null. */
    NULLNESS,
    /** A float in an XMM register: no value, an error saying why. */
    UNAVAILABLE,
    /** The length of the true string or array. */
    LENGTH,
    /** EXACT, or an error when the chain to it holds a nil pointer in the ground truth. */
    EXACT_OR_NIL_ERROR,
    /**
     * The element at the last {@code [i]} of the path (a string's i-th byte as a number), or, when
     * i is past the end of the true string or array, no value and exactly the error "index i out of
     * range (len n)".
     */
    INDEX
  }

  static Check exact(String name, String expr, String path) {
    return new Check(name, expr, path, Kind.EXACT);
  }

  static Check arg(String name) {
    return exact(name, name, "args." + name);
  }

  static Check result(int index, String truthName) {
    return exact("$" + index, "$" + index, "results." + truthName);
  }

  static Check error(String name, String expr, String path) {
    return new Check(name, expr, path, Kind.NULLNESS);
  }

  static Check unavailable(String name, String expr, String path) {
    return new Check(name, expr, path, Kind.UNAVAILABLE);
  }

  /** {@code expr} ending in a constant index, compared with the truth at {@code path}. */
  static Check index(String expr, String path) {
    return new Check(expr, expr, path, Kind.INDEX);
  }

  /**
   * Compares one row's capture (value or error) with the truth line; returns a mismatch or null.
   */
  String compare(JsonNode row, JsonNode truth) {
    JsonNode captured = row.path("captures").get(name);
    JsonNode error = row.path("errors").get(name);
    if (kind == Kind.INDEX) return compareIndex(captured, error, truth);
    JsonNode expected = at(truth, truthPath);
    switch (kind) {
      case UNAVAILABLE -> {
        return error != null && error.asText().toLowerCase().contains("xmm")
            ? null
            : "expected an XMM-unavailable error, got value " + captured + " error " + error;
      }
      case NULLNESS -> {
        if (expected.isMissingNode()) return "no " + truthPath + " in the ground truth";
        if (error != null) return "error " + error;
        boolean capturedNull = captured == null || captured.isNull();
        if (capturedNull != expected.isNull()) {
          return "expected "
              + (expected.isNull() ? "null" : "non-null (" + expected + ")")
              + ", captured "
              + captured;
        }
        // errors.New and fmt.Errorf errors show their message, other types their type's name, and
        // where the binary has no itab symbols to name the type (Go 1.27) the type word
        boolean typeName =
            captured != null
                && (captured.asText().matches("\\*?[\\w/.-]+\\.\\w+")
                    || captured.asText().startsWith("non-nil (type word 0x"));
        return expected.isNull() || expected.equals(captured) || typeName
            ? null
            : "expected message " + expected + " (or a type name), captured " + captured;
      }
      case LENGTH ->
          expected =
              IntNode.valueOf(
                  expected.size() > 0 || expected.isArray()
                      ? expected.size()
                      : expected.asText().length());
      case EXACT_OR_NIL_ERROR -> {
        if (expected.isMissingNode() && nilOnTheWay(truth, truthPath)) {
          return error != null ? null : "expected a nil-pointer error, got " + captured;
        }
      }
      default -> {}
    }
    if (expected.isMissingNode()) return "no " + truthPath + " in the ground truth";
    if (error != null) return "error " + error.asText() + " (expected " + expected + ")";
    return expected.equals(captured) ? null : "expected " + expected + ", captured " + captured;
  }

  private String compareIndex(JsonNode captured, JsonNode error, JsonNode truth) {
    int open = truthPath.lastIndexOf('[');
    int index = Integer.parseInt(truthPath.substring(open + 1, truthPath.length() - 1));
    JsonNode base = at(truth, truthPath.substring(0, open));
    if (base.isMissingNode()) return "no " + truthPath.substring(0, open) + " in the ground truth";
    byte[] text = base.isTextual() ? base.asText().getBytes(StandardCharsets.UTF_8) : null;
    int length = text != null ? text.length : base.size(); // a nil slice is null: length 0
    if (index >= length) {
      String want = "index " + index + " out of range (len " + length + ")";
      boolean noValue = captured == null || captured.isNull();
      return noValue && error != null && want.equals(error.asText())
          ? null
          : "expected no value and the error \""
              + want
              + "\", captured "
              + captured
              + " error "
              + error;
    }
    JsonNode expected = text != null ? IntNode.valueOf(text[index]) : base.get(index);
    if (error != null) return "error " + error.asText() + " (expected " + expected + ")";
    return expected.equals(captured) ? null : "expected " + expected + ", captured " + captured;
  }

  private static boolean nilOnTheWay(JsonNode truth, String path) {
    JsonNode n = truth;
    for (String part : path.split("\\.")) {
      if (n.isNull()) return true;
      n = n.path(part);
    }
    return false;
  }

  /** Navigates {@code a.b[2].c}. */
  static JsonNode at(JsonNode node, String path) {
    JsonNode n = node;
    for (String part : path.split("\\.")) {
      int bracket = part.indexOf('[');
      String field = bracket < 0 ? part : part.substring(0, bracket);
      n = n.path(field);
      while (bracket >= 0) {
        int close = part.indexOf(']', bracket);
        n = n.path(Integer.parseInt(part.substring(bracket + 1, close)));
        bracket = part.indexOf('[', close);
      }
      if (n.isMissingNode()) return MissingNode.getInstance();
    }
    return n;
  }
}
