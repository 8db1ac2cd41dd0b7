package dev.dynlog.abi;

import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.Language;
import dev.dynlog.symbols.Variable;
import dev.dynlog.types.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-built types and functions, laid out by the C/Go rules, for pure-logic ABI and planner tests.
 */
public final class TestTypes {

  private TestTypes() {}

  public static Type i8() {
    return new Type(Type.Kind.INT, "int8", 1);
  }

  public static Type i32() {
    return new Type(Type.Kind.INT, "int32", 4);
  }

  public static Type i64() {
    return new Type(Type.Kind.INT, "int64", 8);
  }

  public static Type u8() {
    return new Type(Type.Kind.UINT, "uint8", 1);
  }

  public static Type u16() {
    return new Type(Type.Kind.UINT, "uint16", 2);
  }

  public static Type uptr() {
    return new Type(Type.Kind.UINT, "uintptr", 8);
  }

  public static Type bool() {
    return new Type(Type.Kind.BOOL, "bool", 1);
  }

  public static Type f32() {
    return new Type(Type.Kind.FLOAT, "float32", 4);
  }

  public static Type f64() {
    return new Type(Type.Kind.FLOAT, "float64", 8);
  }

  public static Type c128() {
    return new Type(Type.Kind.COMPLEX, "complex128", 16);
  }

  public static Type cInt() {
    return new Type(Type.Kind.INT, "int", 4);
  }

  public static Type cLong() {
    return new Type(Type.Kind.INT, "long", 8);
  }

  public static Type cChar() {
    return new Type(Type.Kind.INT, "char", 1);
  }

  public static Type cFloat() {
    return new Type(Type.Kind.FLOAT, "float", 4);
  }

  public static Type cDouble() {
    return new Type(Type.Kind.FLOAT, "double", 8);
  }

  public static Type longDouble() {
    return new Type(Type.Kind.FLOAT, "long double", 16);
  }

  public static Type goString() {
    Type t = new Type(Type.Kind.GO_STRING, "string", 16);
    t.addMember(new Type.Member("str", 0, ptr(u8())));
    t.addMember(new Type.Member("len", 8, new Type(Type.Kind.INT, "int", 8)));
    return t;
  }

  public static Type slice(Type elem) {
    Type t = new Type(Type.Kind.GO_SLICE, "[]" + elem.displayName(), 24).target(elem);
    t.addMember(new Type.Member("array", 0, ptr(elem)));
    t.addMember(new Type.Member("len", 8, new Type(Type.Kind.INT, "int", 8)));
    t.addMember(new Type.Member("cap", 16, new Type(Type.Kind.INT, "int", 8)));
    return t;
  }

  public static Type error() {
    return new Type(Type.Kind.GO_INTERFACE, "error", 16);
  }

  public static Type ptr(Type target) {
    return new Type(Type.Kind.POINTER, null, 8).target(target);
  }

  public static Type ref(Type target) {
    return new Type(Type.Kind.REFERENCE, null, 8).target(target);
  }

  public static Type constOf(Type target) {
    return new Type(Type.Kind.QUALIFIER, null, -1).target(target);
  }

  public static Type typedef(String name, Type target) {
    return new Type(Type.Kind.TYPEDEF, name, -1).target(target);
  }

  public static Type array(Type elem, long n) {
    return new Type(Type.Kind.ARRAY, null, elem.size() * n).target(elem).count(n);
  }

  /**
   * A struct laid out by the usual rules: each field at its alignment, size rounded to the largest.
   */
  public static Type struct(String name, Object... nameTypePairs) {
    Type t = new Type(Type.Kind.STRUCT, name, 0);
    long off = 0;
    long maxAlign = 1;
    for (int i = 0; i < nameTypePairs.length; i += 2) {
      Type ft = (Type) nameTypePairs[i + 1];
      long a = align(ft);
      off = (off + a - 1) / a * a;
      t.addMember(new Type.Member((String) nameTypePairs[i], off, ft));
      off += size(ft);
      maxAlign = Math.max(maxAlign, a);
    }
    boolean trailingZero =
        !t.members().isEmpty()
            && size(t.members().get(t.members().size() - 1).type()) == 0
            && off > 0;
    if (trailingZero) off++;
    t.size((off + maxAlign - 1) / maxAlign * maxAlign);
    return t;
  }

  private static long size(Type t) {
    try {
      return TypeLayout.size(t);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long align(Type t) {
    try {
      return TypeLayout.alignment(t);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static Variable arg(String name, Type t) {
    return new Variable(name, t, false, false);
  }

  public static Variable res(String name, Type t) {
    return new Variable(name, t, true, false);
  }

  public static Variable self(Type t) {
    return new Variable("this", t, false, true);
  }

  /** A Go function (register ABI) with these parameters then results. */
  public static Function goFunc(String name, Variable... params) {
    return new Function(
        name,
        null,
        Language.GO,
        "Go cmd/compile go1.22.5; regabi",
        0x401000,
        List.of(new Function.Range(0x401000, 0x401100)),
        List.of(params),
        null,
        false,
        false,
        0);
  }

  /** A Go function compiled with the stack ABI0 (no "regabi" in the producer). */
  public static Function goAbi0Func(String name, Variable... params) {
    return new Function(
        name,
        null,
        Language.GO,
        "Go cmd/compile go1.16.15",
        0x401000,
        List.of(new Function.Range(0x401000, 0x401100)),
        List.of(params),
        null,
        false,
        false,
        0);
  }

  /** A C++ function returning {@code ret} (null for void). */
  public static Function cppFunc(String name, Type ret, Variable... params) {
    return new Function(
        name,
        null,
        Language.CPP,
        "GNU C++17 12.2.0",
        0x401000,
        List.of(new Function.Range(0x401000, 0x401100)),
        new ArrayList<>(List.of(params)),
        ret,
        false,
        false,
        0);
  }
}
