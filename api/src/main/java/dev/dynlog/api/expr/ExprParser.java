package dev.dynlog.api.expr;

/**
 * Recursive-descent parser for capture expressions. Grammar (whitespace allowed between tokens):
 *
 * <pre>
 * expr    := '*' expr | postfix
 * postfix := primary ( '.' IDENT | '->' IDENT | '[' INT ']' )*
 * primary := IDENT | '$' INT | 'len' '(' expr ')' | 'cap' '(' expr ')' | '(' expr ')'
 * IDENT   := (letter | '_' | '~') (letter | digit | '_' | '~')*   (letters as in Go: Unicode;
 *            '~' for Go's unnamed results ~r0, ~r1)
 * INT     := [0-9]+
 * </pre>
 *
 * Nesting is bounded by {@link #MAX_DEPTH} and the text by {@link #MAX_LENGTH}, so hostile input
 * cannot exhaust the stack. This is the only parser of capture expressions: the operator and {@code
 * dynlog run -f} (through {@code SpecChecks}), {@code dynlog trace} and {@code dynlog inspect}
 * (through the planner) all accept exactly the texts it accepts, up to the same length. Errors
 * quote at most a short excerpt of the text around the fault, with control characters escaped, so a
 * message stays one short line whatever the input.
 */
public final class ExprParser {

  /** Longest accepted expression text, in characters. */
  public static final int MAX_LENGTH = 256;

  /** Deepest accepted nesting of dereferences, parentheses and {@code len()}. */
  public static final int MAX_DEPTH = 32;

  private final String text;
  private int pos;
  private int depth;

  private ExprParser(String text) {
    this.text = text;
  }

  /**
   * Parses one capture expression.
   *
   * @throws ExprSyntaxException naming the column and what was expected there
   */
  public static CaptureExpr parse(String text) throws ExprSyntaxException {
    if (text == null) {
      throw ExprSyntaxException.at("", 0, "missing expression");
    }
    if (text.length() > MAX_LENGTH) {
      throw ExprSyntaxException.tooLong(text, MAX_LENGTH);
    }
    ExprParser parser = new ExprParser(text);
    parser.skipSpaces();
    if (parser.atEnd()) {
      throw parser.error("empty expression");
    }
    CaptureExpr expr = parser.expr();
    parser.skipSpaces();
    if (!parser.atEnd()) {
      throw parser.error("unexpected " + ExprSyntaxException.quote(text, parser.pos));
    }
    return expr;
  }

  private CaptureExpr expr() throws ExprSyntaxException {
    skipSpaces();
    if (peek() == '*') {
      pos++;
      enter();
      CaptureExpr inner = expr();
      depth--;
      return new CaptureExpr.Deref(inner);
    }
    return postfix();
  }

  private CaptureExpr postfix() throws ExprSyntaxException {
    CaptureExpr base = primary();
    while (true) {
      skipSpaces();
      char c = peek();
      if (c == '.' || text.startsWith("->", pos)) {
        pos += c == '.' ? 1 : 2;
        skipSpaces();
        base =
            new CaptureExpr.Field(
                base, identifier("field name after '" + (c == '.' ? "." : "->") + "'"));
      } else if (c == '[') {
        pos++;
        skipSpaces();
        long index = integer("constant index inside '[ ]'");
        skipSpaces();
        expect(']');
        base = new CaptureExpr.Index(base, index);
      } else {
        return base;
      }
    }
  }

  private CaptureExpr primary() throws ExprSyntaxException {
    skipSpaces();
    char c = peek();
    if (c == '$') {
      pos++;
      long index = integer("result number after '$'");
      if (index > 255) {
        throw error("result number $" + index + " is too large");
      }
      return new CaptureExpr.Result((int) index);
    }
    if (c == '(') {
      pos++;
      enter();
      CaptureExpr inner = expr();
      depth--;
      skipSpaces();
      expect(')');
      return inner;
    }
    String name = identifier("a name, '$N', '*', 'len(', 'cap(' or '('");
    skipSpaces();
    if ((name.equals("len") || name.equals("cap")) && peek() == '(') {
      pos++;
      enter();
      CaptureExpr inner = expr();
      depth--;
      skipSpaces();
      expect(')');
      return name.equals("len") ? new CaptureExpr.Len(inner) : new CaptureExpr.Cap(inner);
    }
    return new CaptureExpr.Name(name);
  }

  private String identifier(String expected) throws ExprSyntaxException {
    int start = pos;
    if (atEnd() || !(Character.isLetter(peek()) || peek() == '_' || peek() == '~')) {
      throw error(
          atEnd()
              ? "expected " + expected + " but the expression ended"
              : "expected " + expected + " but found " + ExprSyntaxException.quote(text, pos));
    }
    while (!atEnd() && (Character.isLetterOrDigit(peek()) || peek() == '_' || peek() == '~')) {
      pos++;
    }
    return text.substring(start, pos);
  }

  private long integer(String expected) throws ExprSyntaxException {
    int start = pos;
    while (!atEnd() && peek() >= '0' && peek() <= '9') {
      pos++;
    }
    if (start == pos) {
      throw error(
          atEnd()
              ? "expected " + expected + " but the expression ended"
              : "expected " + expected + " but found " + ExprSyntaxException.quote(text, pos));
    }
    String digits = text.substring(start, pos);
    if (digits.length() > 9) {
      pos = start;
      throw error(
          "number "
              + (digits.length() > 12 ? digits.substring(0, 12) + "…" : digits)
              + " is too large");
    }
    return Long.parseLong(digits);
  }

  private void expect(char c) throws ExprSyntaxException {
    if (peek() != c) {
      throw error(
          atEnd()
              ? "expected '" + c + "' but the expression ended"
              : "expected '" + c + "' but found " + ExprSyntaxException.quote(text, pos));
    }
    pos++;
  }

  private void enter() throws ExprSyntaxException {
    if (++depth > MAX_DEPTH) {
      throw error("expression nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private void skipSpaces() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
      pos++;
    }
  }

  private boolean atEnd() {
    return pos >= text.length();
  }

  private char peek() {
    return atEnd() ? '\0' : text.charAt(pos);
  }

  private ExprSyntaxException error(String problem) {
    return ExprSyntaxException.at(text, pos, problem);
  }
}
