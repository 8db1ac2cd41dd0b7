package dev.dynlog.plan;

import dev.dynlog.symbols.ResolveException;

/** Recursive-descent parser for {@link Expression}; nesting is bounded. */
final class ExpressionParser {

  private static final int MAX_LENGTH = 1000;
  private static final int MAX_NESTING = 32;

  private final String text;
  private int pos;
  private int nesting;

  ExpressionParser(String text) {
    this.text = text == null ? "" : text;
  }

  Expression parseAll() throws ResolveException {
    if (text.isBlank()) throw error("empty expression");
    if (text.length() > MAX_LENGTH) throw error("longer than " + MAX_LENGTH + " characters");
    Expression e = expr();
    skipSpaces();
    if (pos < text.length()) throw error("unexpected `" + text.charAt(pos) + "`");
    return e;
  }

  private Expression expr() throws ResolveException {
    if (++nesting > MAX_NESTING) throw error("nested deeper than " + MAX_NESTING + " levels");
    try {
      skipSpaces();
      if (peek('*')) {
        pos++;
        return new Expression.Deref(expr());
      }
      int start = pos;
      String word = peekName();
      if (word != null && (word.equals("len") || word.equals("cap"))) {
        pos += word.length();
        skipSpaces();
        if (peek('(')) {
          pos++;
          Expression inner = expr();
          expect(')');
          Expression call = word.equals("len") ? new Expression.Len(inner) : new Expression.Cap(inner);
          return postfix(call);
        }
        pos = start;
      }
      return postfix(primary());
    } finally {
      nesting--;
    }
  }

  private Expression primary() throws ResolveException {
    skipSpaces();
    if (peek('(')) {
      pos++;
      Expression e = expr();
      expect(')');
      return e;
    }
    if (peek('$')) {
      pos++;
      int start = pos;
      while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
      if (start == pos) throw error("expected a result number after `$` (e.g. $0)");
      if (pos - start > 3) throw error("result number too large");
      return new Expression.Result(Integer.parseInt(text.substring(start, pos)));
    }
    String name = peekName();
    if (name == null) {
      throw error(pos < text.length() ? "unexpected `" + text.charAt(pos) + "`" : "expression ends early");
    }
    pos += name.length();
    return new Expression.Name(name);
  }

  private Expression postfix(Expression base) throws ResolveException {
    Expression e = base;
    while (true) {
      skipSpaces();
      if (peek('.')) {
        pos++;
        e = new Expression.Field(e, fieldName());
      } else if (text.startsWith("->", pos)) {
        pos += 2;
        e = new Expression.Field(e, fieldName());
      } else if (peek('[')) {
        pos++;
        skipSpaces();
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
        if (start == pos) throw error("expected a constant index inside `[...]`");
        if (pos - start > 18) throw error("index too large");
        long index = Long.parseLong(text.substring(start, pos));
        expect(']');
        e = new Expression.Index(e, index);
      } else {
        return e;
      }
    }
  }

  private String fieldName() throws ResolveException {
    skipSpaces();
    String name = peekName();
    if (name == null) throw error("expected a field name");
    pos += name.length();
    return name;
  }

  /** A name: letters, digits, '_', '~' (Go's ~r0 results) and '.'-free; null if none starts here. */
  private String peekName() {
    int p = pos;
    while (p < text.length()) {
      char c = text.charAt(p);
      boolean ok = Character.isLetter(c) || c == '_' || c == '~' || (p > pos && Character.isDigit(c));
      if (!ok) break;
      p++;
    }
    return p == pos ? null : text.substring(pos, p);
  }

  private boolean peek(char c) {
    return pos < text.length() && text.charAt(pos) == c;
  }

  private void expect(char c) throws ResolveException {
    skipSpaces();
    if (!peek(c)) throw error("expected `" + c + "`");
    pos++;
  }

  private void skipSpaces() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
  }

  private ResolveException error(String what) {
    return new ResolveException("bad expression `" + text + "` at column " + (pos + 1) + ": " + what);
  }
}
