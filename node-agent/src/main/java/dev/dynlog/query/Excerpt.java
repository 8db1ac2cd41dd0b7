package dev.dynlog.query;

/**
 * How a query error quotes what the client sent: in single quotes, at most {@link #MAX_CHARS}
 * characters of it (then {@code …} and the full length), control characters escaped, so that an
 * error stays one short line however long or strange the input was.
 */
final class Excerpt {

  /** Most characters of an input an error message quotes. */
  static final int MAX_CHARS = 60;

  private Excerpt() {}

  /** {@code 'text'}, or {@code 'first 60 characters…' (N characters)} for a longer text. */
  static String of(String text) {
    if (text.length() <= MAX_CHARS) return "'" + escape(text) + "'";
    int end = MAX_CHARS;
    if (Character.isLowSurrogate(text.charAt(end))) end--;
    return "'" + escape(text.substring(0, end)) + "…' (" + text.length() + " characters)";
  }

  /** {@code 'text'}, or {@code 'first 60 characters…'} when the caller states the length. */
  static String prefix(String text) {
    if (text.length() <= MAX_CHARS) return "'" + escape(text) + "'";
    int end = MAX_CHARS;
    if (Character.isLowSurrogate(text.charAt(end))) end--;
    return "'" + escape(text.substring(0, end)) + "…'";
  }

  /** Control characters as {@code \n}, {@code \t}, {@code \r} or {@code \u001b}. */
  static String escape(String s) {
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
