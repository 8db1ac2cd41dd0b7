package dev.dynlog.query;

/** Which end of the buffer a query starts from (rows are kept in arrival order). */
public enum Order {
  NEWEST,
  OLDEST;

  /** Parses {@code newest} or {@code oldest}. */
  public static Order parse(String s) {
    return switch (s) {
      case "newest" -> NEWEST;
      case "oldest" -> OLDEST;
      default ->
          throw new BadQueryException("order must be 'newest' or 'oldest', got " + Excerpt.of(s));
    };
  }
}
