package dev.dynlog.operator.query;

/** Short, one-line quotes of client or agent input for error messages. */
final class Excerpts {

  /** Most characters quoted. */
  static final int MAX = 60;

  private Excerpts() {}

  /**
   * {@code 'text'}, control characters escaped; past {@link #MAX} characters cut with {@code …} and
   * the full length.
   */
  static String quote(String text) {
    String cut = text.length() > MAX ? text.substring(0, MAX) : text;
    StringBuilder b = new StringBuilder("'");
    for (char c : cut.toCharArray()) {
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    b.append(text.length() > MAX ? "…' (" + text.length() + " characters)" : "'");
    return b.toString();
  }
}
