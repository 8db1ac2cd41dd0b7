package dev.dynlog.api.expr;

/**
 * A capture expression that does not follow the grammar; says where and what was expected. The
 * message quotes at most {@link #EXCERPT_LENGTH} characters of the expression (the part around the
 * fault), with control characters escaped, so it stays one short line whatever the input.
 */
public final class ExprSyntaxException extends Exception {

  /** Most characters of the expression a message quotes. */
  public static final int EXCERPT_LENGTH = 60;

  private final String expression;
  private final int column;

  private ExprSyntaxException(String message, String expression, int column) {
    super(message);
    this.expression = expression;
    this.column = column;
  }

  /** {@code problem} at zero-based {@code column}, quoting the text around it. */
  static ExprSyntaxException at(String expression, int column, String problem) {
    return new ExprSyntaxException(
        problem + " at column " + (column + 1) + " of " + excerpt(expression, column),
        expression,
        column);
  }

  /** The text is longer than {@code max}: quotes only its beginning. */
  static ExprSyntaxException tooLong(String text, int max) {
    return new ExprSyntaxException(
        "expression is "
            + text.length()
            + " characters long; at most "
            + max
            + ": "
            + excerpt(text, 0),
        text,
        max);
  }

  /** The expression text that failed to parse (in full; the message quotes only a part of it). */
  public String expression() {
    return expression;
  }

  /** Zero-based position of the offending character (the text length for an early end). */
  public int column() {
    return column;
  }

  /**
   * The expression in single quotes, or for a long one the {@link #EXCERPT_LENGTH} characters
   * around {@code column}, with {@code …} where text was left out.
   */
  static String excerpt(String text, int column) {
    if (text.length() <= EXCERPT_LENGTH) return "'" + escape(text) + "'";
    int start = Math.max(0, Math.min(column - EXCERPT_LENGTH / 2, text.length() - EXCERPT_LENGTH));
    int end = start + EXCERPT_LENGTH;
    if (start > 0 && Character.isLowSurrogate(text.charAt(start))) start++;
    if (end < text.length() && Character.isLowSurrogate(text.charAt(end))) end--;
    return (start > 0 ? "'…" : "'")
        + escape(text.substring(start, end))
        + (end < text.length() ? "…'" : "'");
  }

  /**
   * The character (code point) at {@code pos} in single quotes, escaped when it is a control
   * character.
   */
  static String quote(String text, int pos) {
    return "'" + escape(new String(Character.toChars(text.codePointAt(pos)))) + "'";
  }

  /** Control characters as {@code \n}, {@code \t} or {@code \u001b}, so a message stays a line. */
  private static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n') sb.append("\\n");
      else if (c == '\t') sb.append("\\t");
      else if (c == '\r') sb.append("\\r");
      else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029')
        sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    return sb.toString();
  }
}
