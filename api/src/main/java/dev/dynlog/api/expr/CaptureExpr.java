package dev.dynlog.api.expr;

/**
 * Syntax tree of a capture expression such as {@code req.User.Name}, {@code *p}, {@code $0}, {@code
 * len(items)} or {@code buf[3]}. Produced by {@link ExprParser}; meaning (types, locations) is
 * given by the node agent's resolver.
 */
public sealed interface CaptureExpr {

  /** A parameter, local or named result: {@code name}. */
  record Name(String name) implements CaptureExpr {
    @Override
    public String toString() {
      return name;
    }
  }

  /** A function result by position: {@code $0} is the first result. */
  record Result(int index) implements CaptureExpr {
    @Override
    public String toString() {
      return "$" + index;
    }
  }

  /** A field of a struct, or of the struct a pointer or reference points to: {@code base.field}. */
  record Field(CaptureExpr base, String field) implements CaptureExpr {
    @Override
    public String toString() {
      return base + "." + field;
    }
  }

  /** An explicit dereference: {@code *base}. */
  record Deref(CaptureExpr base) implements CaptureExpr {
    @Override
    public String toString() {
      return "*"
          + (base instanceof Deref || base instanceof Name || base instanceof Result
              ? base.toString()
              : "(" + base + ")");
    }
  }

  /** An element at a constant index of an array, slice or pointer: {@code base[index]}. */
  record Index(CaptureExpr base, long index) implements CaptureExpr {
    @Override
    public String toString() {
      return base + "[" + index + "]";
    }
  }

  /** The length of a string or slice: {@code len(base)}. */
  record Len(CaptureExpr base) implements CaptureExpr {
    @Override
    public String toString() {
      return "len(" + base + ")";
    }
  }

  /** The capacity of a slice: {@code cap(base)}. */
  record Cap(CaptureExpr base) implements CaptureExpr {
    @Override
    public String toString() {
      return "cap(" + base + ")";
    }
  }
}
