package dev.dynlog.plan;

import dev.dynlog.abi.TypeLayout;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.types.Type;

/** Recognisers for the types the planner decodes specially. */
final class TypeShapes {

  private TypeShapes() {}

  static boolean isPointer(Type stripped) {
    return stripped.kind() == Type.Kind.POINTER;
  }

  static boolean isReference(Type stripped) {
    return stripped.kind() == Type.Kind.REFERENCE || stripped.kind() == Type.Kind.RVALUE_REFERENCE;
  }

  /** {@code char *} (any qualifiers): a NUL-terminated C string. */
  static boolean isCString(Type pointer) throws ResolveException {
    if (pointer.target() == null) return false;
    Type c = TypeLayout.stripped(pointer.target());
    return (c.kind() == Type.Kind.INT || c.kind() == Type.Kind.UINT)
        && c.size() == 1
        && "char".equals(c.name());
  }

  /** A Go {@code []byte} (or {@code []int8}): decoded as text. */
  static boolean isByteSlice(Type stripped) throws ResolveException {
    Type elem = stripped.target() == null ? null : TypeLayout.stripped(stripped.target());
    return elem != null
        && (elem.kind() == Type.Kind.UINT || elem.kind() == Type.Kind.INT)
        && elem.size() == 1;
  }

  /**
   * libstdc++'s C++11 {@code std::string} (32 bytes: {_M_dataplus._M_p @0, _M_string_length @8,
   * ...}), named with or without its inline namespace {@code __cxx11}. The copy-on-write string of
   * the old ABI (8 bytes) is not this layout and is not matched.
   */
  static boolean isStdString(Type declared) throws ResolveException {
    Type t = TypeLayout.stripped(declared);
    if (t.kind() != Type.Kind.STRUCT || t.name() == null || t.size() != 32) return false;
    String n = t.name().replace("std::__cxx11::", "std::");
    boolean named =
        n.startsWith("std::basic_string<char,")
            || n.equals("std::basic_string<char>")
            || n.equals("std::string");
    if (!named) return false;
    if (t.members().isEmpty()) return true;
    Type.Member len = t.member("_M_string_length");
    Type.Member data = t.member("_M_dataplus");
    return len != null && len.offset() == 8 && data != null && data.offset() == 0;
  }

  /** The type's own name, or the declared name when the stripped type has none. */
  static String name(Type stripped, Type declared) {
    return stripped.name() != null ? stripped.name() : declared.displayName();
  }

  /** C/C++ {@code char}, {@code signed char}, {@code unsigned char}: an array of them is text. */
  static boolean isCharType(Type elem) {
    Type e = elem.stripped();
    return e != null
        && e.size() == 1
        && (e.kind() == Type.Kind.INT || e.kind() == Type.Kind.UINT)
        && e.name() != null
        && e.name().contains("char");
  }
}
