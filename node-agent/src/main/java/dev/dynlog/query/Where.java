package dev.dynlog.query;

import dev.dynlog.trace.Row;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  private static final String PATH = "[A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z0-9_]+)*";
  private static final Pattern SYMBOLIC =
      Pattern.compile("\\s*(" + PATH + ")\\s*(!=|<=|>=|=|<|>)\\s*(.*?)\\s*");
  private static final Pattern WORD =
      Pattern.compile("\\s*(" + PATH + ")\\s+contains\\s+(.*?)\\s*");

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
   * Parses one predicate.
   *
   * @throws BadQueryException naming what is wrong
   */
  public static Where parse(String text) {
    Matcher m = WORD.matcher(text);
    if (m.matches()) return create(text, m.group(1), Op.CONTAINS, m.group(2));
    m = SYMBOLIC.matcher(text);
    if (m.matches()) return create(text, m.group(1), symbol(m.group(2)), m.group(3));
    throw new BadQueryException(
        "where '"
            + text
            + "' is not NAME OP VALUE: OP is one of = != < <= > >= contains"
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
          "where '"
              + text
              + "' has no value after '"
              + op.symbol()
              + "' (use \"\" for an empty string)");
    }
    if (op.numeric() && number(operand) == null) {
      throw new BadQueryException(
          "where '"
              + text
              + "': operator "
              + op.symbol()
              + " needs a number, got '"
              + operand
              + "'");
    }
    return new Where(CapturePath.parse(path), op, operand);
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
