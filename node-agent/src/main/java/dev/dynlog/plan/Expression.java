package dev.dynlog.plan;

import dev.dynlog.symbols.ResolveException;

/**
 * A capture expression, parsed. The grammar:
 *
 * <pre>
 *   expr    := '*' expr | ('len' | 'cap') '(' expr ')' | postfix
 *   postfix := primary ( '.' NAME | '-&gt;' NAME | '[' INTEGER ']' )*
 *   primary := NAME | '$' DIGITS | '(' expr ')'
 * </pre>
 *
 * NAME is a parameter, receiver, {@code this} or (Go) result name; {@code $0}, {@code $1}... are
 * results by position ({@code $0} is the first result, or the C/C++ return value).
 */
public sealed interface Expression {

  /** A parameter or named result. */
  record Name(String name) implements Expression {}

  /** A result by position. */
  record Result(int index) implements Expression {}

  /** A struct field; pointers and references on the way are dereferenced. */
  record Field(Expression base, String field) implements Expression {}

  /** Element {@code index} of an array, slice, string or C pointer. */
  record Index(Expression base, long index) implements Expression {}

  /** The value a pointer points to. */
  record Deref(Expression base) implements Expression {}

  /** {@code len(x)} of a Go string or slice, or a C++ std::string. */
  record Len(Expression base) implements Expression {}

  /** {@code cap(x)} of a Go slice. */
  record Cap(Expression base) implements Expression {}

  /** Parses an expression, or explains precisely where and why it is malformed. */
  static Expression parse(String text) throws ResolveException {
    return new ExpressionParser(text).parseAll();
  }

  /** Renders the expression back in source form. */
  static String render(Expression e) {
    if (e instanceof Name n) return n.name();
    if (e instanceof Result r) return "$" + r.index();
    if (e instanceof Field f) return render(f.base()) + "." + f.field();
    if (e instanceof Index i) return render(i.base()) + "[" + i.index() + "]";
    if (e instanceof Deref d) return "*" + render(d.base());
    if (e instanceof Len l) return "len(" + render(l.base()) + ")";
    return "cap(" + render(((Cap) e).base()) + ")";
  }
}
