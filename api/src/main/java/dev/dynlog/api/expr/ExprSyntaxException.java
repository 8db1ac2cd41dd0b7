package dev.dynlog.api.expr;

/** A capture expression that does not follow the grammar; says where and what was expected. */
public final class ExprSyntaxException extends Exception {

  private final String expression;
  private final int column;

  ExprSyntaxException(String expression, int column, String problem) {
    super(problem + " at column " + (column + 1) + " of '" + expression + "'");
    this.expression = expression;
    this.column = column;
  }

  /** The expression text that failed to parse. */
  public String expression() {
    return expression;
  }

  /** Zero-based position of the offending character (the text length for an early end). */
  public int column() {
    return column;
  }
}
