package dev.dynlog.plan;

import dev.dynlog.types.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * A named member found in a struct, possibly inside an anonymous member (C anonymous struct/union)
 * or a C++ base class, with its byte offset from the outer struct.
 */
record MemberPath(Type.Member member, long offset) {

  private static final int MAX_DEPTH = 16;

  /** Finds {@code name} in {@code t} (already stripped), or null. */
  static MemberPath find(Type t, String name) {
    return find(t, name, 0, 0);
  }

  private static MemberPath find(Type t, String name, long base, int depth) {
    if (t == null || depth > MAX_DEPTH) return null;
    for (Type.Member m : t.members()) {
      if (name.equals(m.name())) return new MemberPath(m, base + m.offset());
    }
    for (Type.Member m : t.members()) {
      if (transparent(m)) {
        MemberPath p = find(m.type().stripped(), name, base + m.offset(), depth + 1);
        if (p != null) return p;
      }
    }
    return null;
  }

  /**
   * Member names of {@code t} for error messages, including those of anonymous members and bases.
   */
  static String names(Type t) {
    List<String> out = new ArrayList<>();
    collect(t, out, 0);
    return out.isEmpty() ? "(none)" : String.join(", ", out);
  }

  private static void collect(Type t, List<String> out, int depth) {
    if (t == null || depth > MAX_DEPTH) return;
    for (Type.Member m : t.members()) {
      if (transparent(m)) collect(m.type().stripped(), out, depth + 1);
      else if (m.name() != null && !m.artificial() && out.size() < 64) out.add(m.name());
    }
  }

  /** Anonymous members and C++ base classes (artificial, or unnamed) expose their members. */
  private static boolean transparent(Type.Member m) {
    if (m.type() == null) return false;
    Type mt = m.type().stripped();
    boolean aggregate =
        mt != null && (mt.kind() == Type.Kind.STRUCT || mt.kind() == Type.Kind.UNION);
    return aggregate && (m.name() == null || m.name().isEmpty() || m.artificial());
  }
}
