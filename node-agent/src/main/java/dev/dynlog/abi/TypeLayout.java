package dev.dynlog.abi;

import dev.dynlog.symbols.ResolveException;
import dev.dynlog.types.Type;

/** Sizes and alignments of types on x86-64, as both Go and the System V psABI define them. */
public final class TypeLayout {

  /** Deepest type nesting we follow; deeper (or cyclic) types are rejected as malformed. */
  static final int MAX_DEPTH = 64;

  private TypeLayout() {}

  /** The type's size in bytes, or a clear error when the debug information does not give one. */
  public static long size(Type type) throws ResolveException {
    Type t = stripped(type);
    long size =
        switch (t.kind()) {
          case POINTER, REFERENCE, RVALUE_REFERENCE, GO_MAP, GO_CHAN, FUNC ->
              t.size() < 0 ? 8 : t.size();
          case GO_STRING, GO_INTERFACE -> t.size() < 0 ? 16 : t.size();
          case GO_SLICE -> t.size() < 0 ? 24 : t.size();
          case VOID -> 0;
          default -> t.size();
        };
    if (size < 0) {
      throw new ResolveException(
          "type `" + type.displayName() + "` has no known size in the debug information");
    }
    return size;
  }

  /** The type's alignment in bytes (at least 1). */
  public static long alignment(Type type) throws ResolveException {
    return alignment(type, 0);
  }

  private static long alignment(Type type, int depth) throws ResolveException {
    if (depth > MAX_DEPTH) {
      throw new ResolveException(
          "type `" + type.displayName() + "` nests deeper than " + MAX_DEPTH + " levels (cyclic?)");
    }
    Type t = stripped(type);
    return switch (t.kind()) {
      case BOOL, INT, UINT, ENUM, FLOAT -> Math.max(1, Math.min(16, size(t)));
      case COMPLEX -> Math.max(1, size(t) / 2);
      case POINTER,
          REFERENCE,
          RVALUE_REFERENCE,
          GO_MAP,
          GO_CHAN,
          FUNC,
          GO_STRING,
          GO_SLICE,
          GO_INTERFACE ->
          8;
      case STRUCT, UNION -> {
        long a = 1;
        for (Type.Member m : t.members()) a = Math.max(a, alignment(m.type(), depth + 1));
        yield a;
      }
      case ARRAY -> t.target() == null ? 1 : alignment(t.target(), depth + 1);
      case VOID -> 1;
      default ->
          throw new ResolveException(
              "cannot lay out type `" + type.displayName() + "` (" + t.kind() + ")");
    };
  }

  /** Follows typedefs and qualifiers; a broken chain becomes a clear error. */
  public static Type stripped(Type type) throws ResolveException {
    Type t = type.stripped();
    if (t == null) return new Type(Type.Kind.VOID, "void", 0);
    if (t.kind() == Type.Kind.TYPEDEF || t.kind() == Type.Kind.QUALIFIER) {
      throw new ResolveException(
          "type `" + type.displayName() + "` is a cyclic or over-long typedef chain");
    }
    return t;
  }

  static long alignUp(long value, long alignment) {
    return (value + alignment - 1) / alignment * alignment;
  }
}
