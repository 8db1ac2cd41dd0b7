package dev.dynlog.abi;

import dev.dynlog.symbols.ResolveException;
import dev.dynlog.types.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/** Classifies C/C++ types into System V eightbyte classes (psABI §3.2.3). */
final class EightbyteClassifier {

  /**
   * DW_CC_pass_by_reference / DW_CC_pass_by_value (DWARF 5 DW_AT_calling_convention of a class).
   */
  static final int DW_CC_PASS_BY_REFERENCE = 4;

  static final int DW_CC_PASS_BY_VALUE = 5;

  /**
   * libstdc++ class templates with a user-provided copy constructor or destructor, for producers
   * that do not emit DW_AT_calling_convention. Any class holding one of these is not trivially
   * copyable either.
   */
  private static final List<String> NON_TRIVIAL_STD =
      List.of(
          "std::__cxx11::basic_string<",
          "std::basic_string<",
          "std::vector<",
          "std::unique_ptr<",
          "std::shared_ptr<",
          "std::weak_ptr<",
          "std::function<",
          "std::map<",
          "std::multimap<",
          "std::set<",
          "std::multiset<",
          "std::unordered_map<",
          "std::unordered_set<",
          "std::__cxx11::list<",
          "std::list<",
          "std::deque<",
          "std::optional<std::");

  private EightbyteClassifier() {}

  /**
   * The classes of each eightbyte of {@code type}, or null when it is passed in memory (class
   * MEMORY: larger than 16 bytes, unaligned fields, x87 long double).
   */
  static List<EightbyteClass> classify(Type type) throws ResolveException {
    Type t = TypeLayout.stripped(type);
    long size = TypeLayout.size(t);
    if (size > 16 || size == 0) return size == 0 ? List.of() : null;
    EightbyteClass[] classes = new EightbyteClass[(int) ((size + 7) / 8)];
    Arrays.fill(classes, EightbyteClass.NONE);
    if (!classifyInto(t, 0, classes, 0)) return null;
    List<EightbyteClass> out = new ArrayList<>(List.of(classes));
    for (int i = 0; i < out.size(); i++) {
      EightbyteClass c = out.get(i);
      if (c == EightbyteClass.MEMORY || c == EightbyteClass.X87) return null;
      if (c == EightbyteClass.SSEUP && (i == 0 || out.get(i - 1) != EightbyteClass.SSE))
        out.set(i, EightbyteClass.SSE);
    }
    return out;
  }

  /** True for the x87 80-bit {@code long double} (and its complex form). */
  static boolean isX87(Type type) throws ResolveException {
    Type t = TypeLayout.stripped(type);
    return (t.kind() == Type.Kind.FLOAT || t.kind() == Type.Kind.COMPLEX)
        && t.name() != null
        && t.name().contains("long double");
  }

  /**
   * True when a C++ class is not trivially copyable for the purpose of calls, so it is passed and
   * returned by invisible reference: DW_AT_calling_convention says so, or (when absent, as with
   * GCC) it has a vtable pointer, or it is or contains a libstdc++ class known to have a
   * non-trivial copy constructor or destructor, or it declares a user-provided copy or move
   * constructor or destructor (its member function declarations in DWARF, present even when every
   * call was inlined), or {@code userDeclaredCopyOrDestructor} finds out-of-line code of one.
   */
  static boolean passedByReference(Type type, Predicate<Type> userDeclaredCopyOrDestructor)
      throws ResolveException {
    return byReference(TypeLayout.stripped(type), userDeclaredCopyOrDestructor, 0);
  }

  private static boolean byReference(Type t, Predicate<Type> userDeclared, int depth)
      throws ResolveException {
    if (depth > TypeLayout.MAX_DEPTH) return false;
    if (t.kind() != Type.Kind.STRUCT && t.kind() != Type.Kind.UNION) return false;
    if (t.callingConvention() == DW_CC_PASS_BY_REFERENCE) return true;
    if (t.callingConvention() == DW_CC_PASS_BY_VALUE) return false;
    if (t.userProvidedCopyOrDestructor() || userDeclared.test(t)) return true;
    if (t.name() != null) {
      for (String prefix : NON_TRIVIAL_STD) if (t.name().startsWith(prefix)) return true;
    }
    for (Type.Member m : t.members()) {
      // A vtable pointer means virtual functions, which make the implicit copy constructor
      // non-trivial.
      if (m.artificial() && m.name() != null && m.name().startsWith("_vptr")) return true;
      Type mt = TypeLayout.stripped(m.type());
      while (mt.kind() == Type.Kind.ARRAY && mt.target() != null && depth < TypeLayout.MAX_DEPTH) {
        mt = TypeLayout.stripped(mt.target());
      }
      if (byReference(mt, userDeclared, depth + 1)) return true;
    }
    return false;
  }

  private static boolean classifyInto(Type type, long offset, EightbyteClass[] classes, int depth)
      throws ResolveException {
    if (depth > TypeLayout.MAX_DEPTH) return false;
    Type t = TypeLayout.stripped(type);
    long size = TypeLayout.size(t);
    if (size == 0) return true;
    switch (t.kind()) {
      case BOOL, INT, UINT, ENUM, POINTER, REFERENCE, RVALUE_REFERENCE, FUNC -> {
        if (offset % Math.min(size, 8) != 0) return false;
        for (long b = 0; b < size; b += 8) put(classes, offset + b, EightbyteClass.INTEGER);
        return true;
      }
      case FLOAT -> {
        if (offset % Math.min(size, 8) != 0) return false;
        if (isX87(t)) {
          put(classes, offset, EightbyteClass.X87);
          return true;
        }
        put(classes, offset, EightbyteClass.SSE);
        if (size == 16) put(classes, offset + 8, EightbyteClass.SSEUP);
        return true;
      }
      case COMPLEX -> {
        if (isX87(t)) {
          put(classes, offset, EightbyteClass.X87);
          return true;
        }
        long half = size / 2;
        if (offset % half != 0) return false;
        put(classes, offset, EightbyteClass.SSE);
        put(classes, offset + half, EightbyteClass.SSE);
        return true;
      }
      case STRUCT, UNION -> {
        for (Type.Member m : t.members()) {
          long at = offset + m.offset();
          if (m.isBitField()) {
            put(
                classes,
                offset + (m.offset() * 8 + m.bitOffset()) / 64 * 8,
                EightbyteClass.INTEGER);
            continue;
          }
          if (!classifyInto(m.type(), at, classes, depth + 1)) return false;
        }
        return true;
      }
      case ARRAY -> {
        Type elem = t.target();
        if (elem == null || t.count() <= 0) return true;
        long elemSize = TypeLayout.size(elem);
        for (long i = 0; i < t.count() && i * elemSize < size; i++) {
          if (!classifyInto(elem, offset + i * elemSize, classes, depth + 1)) return false;
        }
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  private static void put(EightbyteClass[] classes, long offset, EightbyteClass c) {
    int i = (int) (offset / 8);
    if (i >= 0 && i < classes.length) classes[i] = classes[i].merge(c);
  }
}
