package dev.dynlog.dwarf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns what a user types into the qualified names the DWARF uses, and finds the closest names when
 * nothing matches. Handles Go generic shapes ({@code pkg.Max[int]} for {@code
 * pkg.Max[go.shape.int]}), instantiation-free names ({@code pkg.Max}, {@code ns::max}), Go
 * receivers written either way ({@code pkg.T.M} / {@code pkg.(*T).M}) and Go package paths given by
 * their last element.
 */
final class NameMatcher {
  private NameMatcher() {}

  /** A query split into the function name and, for C++, an optional parameter type list. */
  record Query(String name, List<String> parameterTypes) {
    static Query parse(String text) {
      String s = text.strip();
      String trimmed = s.endsWith(" const") ? s.substring(0, s.length() - 6).strip() : s;
      if (trimmed.endsWith(")")) {
        int depth = 0;
        for (int i = trimmed.length() - 1; i >= 0; i--) {
          char c = trimmed.charAt(i);
          if (c == ')') depth++;
          else if (c == '(' && --depth == 0) {
            String head = trimmed.substring(0, i).strip();
            if (head.isEmpty() || head.endsWith(".") || head.endsWith("operator")) break;
            return new Query(head, splitTopLevel(trimmed.substring(i + 1, trimmed.length() - 1)));
          }
        }
      }
      return new Query(s, null);
    }
  }

  /** Splits a comma-separated list at depth 0 of (), <>, []. */
  static List<String> splitTopLevel(String s) {
    List<String> out = new ArrayList<>();
    if (s.isBlank() || s.strip().equals("void")) return out;
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(' || c == '<' || c == '[') depth++;
      else if (c == ')' || c == '>' || c == ']') depth--;
      else if (c == ',' && depth == 0) {
        out.add(s.substring(start, i).strip());
        start = i + 1;
      }
    }
    out.add(s.substring(start).strip());
    return out;
  }

  /** Normalises a C/C++ type spelling for comparison: no blanks, no libstdc++ inline namespace. */
  static String normalizeType(String t) {
    return t.replace("__cxx11::", "").replaceAll("\\s+", "");
  }

  /** Removes Go's "go.shape." prefixes inside type arguments. */
  static String withoutShapes(String name) {
    return name.replace("go.shape.", "");
  }

  /**
   * Removes template/generic argument lists: {@code ns::max<int>} → {@code ns::max}, {@code
   * p.Max[int]} → {@code p.Max}.
   */
  static String withoutArguments(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    int depth = 0;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean operator = i >= 8 && name.startsWith("operator", i - 8) && depth == 0;
      if (!operator && (c == '<' || c == '[')) {
        if (c == '['
            && i + 1 < name.length()
            && name.charAt(i + 1) == ']') { // Go slice type "[]T" in a name
          if (depth == 0) sb.append(c);
          continue;
        }
        depth++;
      } else if (depth > 0 && (c == '>' || c == ']')) {
        depth--;
      } else if (depth == 0) {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Alternative spellings of a Go method name: pkg.T.M ↔ pkg.(*T).M. */
  static List<String> receiverAlternatives(String name) {
    List<String> out = new ArrayList<>();
    int lastDot = name.lastIndexOf('.');
    if (lastDot <= 0) return out;
    String head = name.substring(0, lastDot);
    String method = name.substring(lastDot + 1);
    int typeDot = head.lastIndexOf('.');
    if (typeDot <= 0) return out;
    String pkg = head.substring(0, typeDot);
    String type = head.substring(typeDot + 1);
    if (type.startsWith("(*") && type.endsWith(")"))
      out.add(pkg + "." + type.substring(2, type.length() - 1) + "." + method);
    else if (!type.isEmpty() && !type.startsWith("(")) out.add(pkg + ".(*" + type + ")." + method);
    return out;
  }

  /** Names equivalent to the query under the friendly forms, in a stable order. */
  static List<String> friendlyMatches(String query, String[] sortedNames) {
    Set<String> out = new LinkedHashSet<>();
    List<String> forms = new ArrayList<>();
    forms.add(withoutShapes(query));
    forms.addAll(receiverAlternatives(withoutShapes(query)));
    boolean hasArgs = !withoutArguments(query).equals(query);
    for (String n : sortedNames) {
      String shapeless = withoutShapes(n);
      String bare = hasArgs ? null : withoutArguments(n);
      for (String f : forms) {
        if (shapeless.equals(f) || (bare != null && bare.equals(f) && !n.equals(f))) out.add(n);
      }
    }
    if (out.isEmpty()) {
      for (String n : sortedNames) {
        for (String f : forms) {
          if (n.endsWith("/" + f)
              || withoutShapes(n).endsWith("/" + f)
              || (!hasArgs && withoutArguments(n).endsWith("/" + f))) out.add(n);
        }
      }
    }
    return new ArrayList<>(out);
  }

  /**
   * The last component of a qualified name: after the last "::" or the last "." outside brackets.
   */
  static String lastComponent(String name) {
    String bare = withoutArguments(name);
    int cc = bare.lastIndexOf("::");
    int dot = bare.lastIndexOf('.');
    int slash = bare.lastIndexOf('/');
    int cut = Math.max(cc >= 0 ? cc + 2 : -1, Math.max(dot + 1, slash + 1));
    return bare.substring(Math.max(cut, 0));
  }

  /**
   * Up to {@code limit} existing names closest to the query (same last component, substring, edit
   * distance).
   */
  static List<String> closest(String query, String[] names, int limit) {
    String q = lastComponent(query).toLowerCase();
    if (q.isEmpty()) q = query.toLowerCase();
    int maxDistance = Math.max(2, q.length() / 3);
    record Scored(String name, int score) {}
    List<Scored> scored = new ArrayList<>();
    for (String n : names) {
      String c = lastComponent(n).toLowerCase();
      int score;
      if (c.equals(q)) score = 0;
      else if (!q.isEmpty() && (c.contains(q) || (q.contains(c) && c.length() >= 3))) score = 1;
      else {
        int d = editDistance(c, q, maxDistance);
        if (d > maxDistance) continue;
        score = 1 + d;
      }
      scored.add(new Scored(n, score));
    }
    scored.sort(
        Comparator.comparingInt(Scored::score)
            .thenComparingInt(s -> s.name().length())
            .thenComparing(Scored::name));
    return scored.stream().limit(limit).map(Scored::name).toList();
  }

  /** Levenshtein distance, giving up (returning max+1) once it exceeds {@code max}. */
  static int editDistance(String a, String b, int max) {
    if (Math.abs(a.length() - b.length()) > max) return max + 1;
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      int rowMin = cur[0];
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
        rowMin = Math.min(rowMin, cur[j]);
      }
      if (rowMin > max) return max + 1;
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
