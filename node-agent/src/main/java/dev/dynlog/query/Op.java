package dev.dynlog.query;

/** Comparison operators of a {@code where} predicate. */
public enum Op {
  EQ("="),
  NE("!="),
  LT("<"),
  LE("<="),
  GT(">"),
  GE(">="),
  CONTAINS("contains");

  private final String symbol;

  Op(String symbol) {
    this.symbol = symbol;
  }

  public String symbol() {
    return symbol;
  }

  /** True for the operators that need a numeric operand. */
  public boolean numeric() {
    return this == LT || this == LE || this == GT || this == GE;
  }
}
