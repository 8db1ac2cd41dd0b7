package dev.dynlog.query;

import dev.dynlog.trace.Row;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A predicate on a captured value: {@code PATH OP VALUE} with OP one of {@code = != < <= > >=} or
 * the word {@code contains}, e.g. {@code username=alice}, {@code l.Units>100}, {@code err!=null},
 * {@code path contains /api}. VALUE may be wrapped in double quotes.
 *
 * <p>Semantics, per captured value: numbers compare numerically (exact, also for uint64); strings
 * compare as text; booleans with {@code true}/{@code false}; a nil value equals {@code null}. The
 * ordering operators need a numeric VALUE and match numbers only. {@code contains} matches a
 * substring of a string, an element of a list, or a key of an object. A value that could not be
 * read, or a path that does not exist in the row, matches nothing (not even {@code !=}).
 */
public final class Where implements Predicate<Row> {

  /** Longest accepted predicate text, in characters. */
  public static final int MAX_LENGTH = 1024;

  private static final int NOT_COMPARABLE = Integer.MIN_VALUE;

  private final CapturePath path;
  private final Op op;
  private final String operand;
  private final BigDecimal operandNumber;

  private Where(CapturePath path, Op op, String operand) {
    this.path = path;
    this.op = op;
    this.operand = operand;
    this.operandNumber = number(operand);
  }

  /** Which value. */
  public CapturePath path() {
    return path;
  }

  public Op op() {
    return op;
  }

  /** VALUE as written, quotes removed. */
  public String operand() {
    return operand;
  }

  /**
   * Parses one predicate: a {@link CapturePath}, an operator, a value. A scanner, not a regular
   * expression, so no input can exhaust the stack; at most {@link #MAX_LENGTH} characters.
   *
   * @throws BadQueryException naming what is wrong
   */
  public static Where parse(String text) {
    if (text.length() > MAX_LENGTH) {
      throw new BadQueryException(
          "where is "
              + text.length()
              + " characters long; at most "
              + MAX_LENGTH
              + ": "
              + Excerpt.prefix(text));
    }
    int i = skipSpaces(text, 0);
    int pathStart = i;
    while (i < text.length() && isPathChar(text.charAt(i))) i++;
    String path = text.substring(pathStart, i);
    if (path.isEmpty() || !isNameStart(path.charAt(0))) throw notPredicate(text);
    int afterPath = i;
    i = skipSpaces(text, i);
    if (i > afterPath && text.startsWith("contains", i)) {
      int afterWord = i + "contains".length();
      int value = skipSpaces(text, afterWord);
      if (value > afterWord) return create(text, path, Op.CONTAINS, operand(text, value));
    }
    for (String symbol : SYMBOLS) {
      if (text.startsWith(symbol, i)) {
        int value = skipSpaces(text, i + symbol.length());
        return create(text, path, symbol(symbol), operand(text, value));
      }
    }
    throw notPredicate(text);
  }

  /** Two-character operators first, so that {@code <=} is not read as {@code <}. */
  private static final List<String> SYMBOLS = List.of("!=", "<=", ">=", "=", "<", ">");

  private static boolean isPathChar(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '.';
  }

  private static boolean isNameStart(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  }

  /** Whitespace as in regular expressions' {@code \s}. */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
  }

  private static int skipSpaces(String text, int i) {
    while (i < text.length() && isSpace(text.charAt(i))) i++;
    return i;
  }

  /** The rest of the text from {@code start}, without trailing whitespace. */
  private static String operand(String text, int start) {
    int end = text.length();
    while (end > start && isSpace(text.charAt(end - 1))) end--;
    return text.substring(start, end);
  }

  private static BadQueryException notPredicate(String text) {
    return new BadQueryException(
        "where "
            + Excerpt.of(text)
            + " is not NAME OP VALUE: OP is one of = != < <= > >= contains"
            + " (e.g. username=alice, l.Units>100, path contains /api)");
  }

  private static Op symbol(String s) {
    for (Op op : Op.values()) {
      if (op.symbol().equals(s)) return op;
    }
    throw new IllegalStateException(s);
  }

  private static Where create(String text, String path, Op op, String rawOperand) {
    String operand = unquote(rawOperand);
    if (operand.isEmpty() && !rawOperand.startsWith("\"")) {
      throw new BadQueryException(
          "where "
              + Excerpt.of(text)
              + " has no value after '"
              + op.symbol()
              + "' (use \"\" for an empty string)");
    }
    if (op.numeric() && number(operand) == null) {
      throw new BadQueryException(
          "where "
              + Excerpt.of(text)
              + ": operator "
              + op.symbol()
              + " needs a number, got "
              + Excerpt.of(operand));
    }
    CapturePath parsed;
    try {
      parsed = CapturePath.parse(path);
    } catch (BadQueryException e) {
      throw new BadQueryException("where " + Excerpt.of(text) + ": " + e.getMessage());
    }
    return new Where(parsed, op, operand);
  }

  private static String unquote(String s) {
    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
      return s.substring(1, s.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    return s;
  }

  @Override
  public boolean test(Row row) {
    Object v = path.resolve(row);
    if (v == CapturePath.MISSING) return false;
    return switch (op) {
      case EQ -> equalsOperand(v);
      case NE -> !equalsOperand(v);
      case LT, LE, GT, GE -> ordered(compare(v));
      case CONTAINS -> contains(v);
    };
  }

  private boolean ordered(int sign) {
    if (sign == NOT_COMPARABLE) return false;
    return switch (op) {
      case LT -> sign < 0;
      case LE -> sign <= 0;
      case GT -> sign > 0;
      case GE -> sign >= 0;
      default -> throw new IllegalStateException(op.name());
    };
  }

  private boolean equalsOperand(Object v) {
    if (v == null) return operand.equals("null");
    if (v instanceof String s) return s.equals(operand);
    if (v instanceof Boolean b) return operand.equals(b.toString());
    if (v instanceof Number n) {
      BigDecimal have = number(n);
      return operandNumber != null && have != null && have.compareTo(operandNumber) == 0;
    }
    return false;
  }

  /** Sign of (value - operand), or NOT_COMPARABLE when the value is not a number. */
  private int compare(Object v) {
    if (!(v instanceof Number n)) return NOT_COMPARABLE;
    BigDecimal have = number(n);
    if (have == null) return NOT_COMPARABLE;
    return Integer.signum(have.compareTo(operandNumber));
  }

  private boolean contains(Object v) {
    if (v instanceof String s) return s.contains(operand);
    if (v instanceof List<?> list) {
      for (Object element : list) {
        if (equalsOperand(element)) return true;
      }
      return false;
    }
    if (v instanceof Map<?, ?> map) return map.containsKey(operand);
    return false;
  }

  private static BigDecimal number(Number n) {
    if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
      return BigDecimal.valueOf(n.longValue());
    }
    if (n instanceof BigInteger b) return new BigDecimal(b);
    if (n instanceof BigDecimal d) return d;
    double d = n.doubleValue();
    return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
  }

  private static BigDecimal number(String s) {
    try {
      return new BigDecimal(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return path + (op == Op.CONTAINS ? " contains " : op.symbol()) + operand;
  }
}
