package dev.dynlog.plan;

import dev.dynlog.api.redact.Redaction;
import java.util.List;

/**
 * How the bytes of one or more {@link dev.dynlog.recipe.Read}s become a captured value (a JSON
 * value). Reads are referred to by their index in {@link ValuePlan#reads()}.
 */
public sealed interface Decoder {

  /** Signed (two's complement) integer of {@code width} bytes, little endian. */
  record SignedInt(int read, int width) implements Decoder {}

  /** Unsigned integer of {@code width} bytes. */
  record UnsignedInt(int read, int width) implements Decoder {}

  record Bool(int read) implements Decoder {}

  /** IEEE 754 binary32 ({@code width} 4) or binary64 ({@code width} 8) read from memory. */
  record Float(int read, int width) implements Decoder {}

  /** A pointer shown as "0x..." hex (null for 0). */
  record Pointer(int read) implements Decoder {}

  /** Enum shown by enumerator name when known, else its number. */
  record Enum(int read, int width, boolean signed, List<String> names, List<Long> values)
      implements Decoder {}

  /**
   * Text from a GO_STRING, GO_SLICE ([]byte), C_STRING or STD_STRING read; truncation is marked.
   */
  record Text(int read) implements Decoder {}

  /** A fixed-size C/C++ {@code char} array read whole: the text up to its first NUL. */
  record CharArray(int read) implements Decoder {}

  /**
   * Go error/interface: null when the type word is 0, else a description naming the dynamic type.
   */
  record GoInterface(int read) implements Decoder {}

  /**
   * A Go {@code error}: null when nil; otherwise its message when the dynamic type is one whose
   * first field is the message ({@code *errors.errorString}, {@code *fmt.wrapError}, {@code
   * *fmt.wrapErrors}), read through the data word by {@code message}; else the type's name.
   */
  record GoError(int read, int message) implements Decoder {}

  /** A JSON object of named fields (struct as JSON, depth- and size-capped by the planner). */
  record Struct(List<String> names, List<Decoder> fields) implements Decoder {}

  /** A JSON array of elements (fixed arrays). */
  record Array(List<Decoder> elements) implements Decoder {}

  /**
   * The element at the constant index {@code index} of a slice or string: {@code element} when
   * {@code index} is below the length word (a signed 64-bit integer) that read {@code length} took
   * from the same event, else no value and the error "index 3 out of range (len 3)". Nested indexes
   * nest: the outer check (the first index of the expression) runs first.
   */
  record Indexed(int length, long index, Decoder element) implements Decoder {}

  /** A value the planner decided not to expand (depth/size cap): shown as a marker string. */
  record Elided(String why) implements Decoder {}

  /**
   * A value the planner refused to read because a name on its way matches the redaction list: no
   * read exists for its bytes, the row shows {@link #MARKER}, and {@code rule} (also in the row's
   * errors) says which name matched which entry.
   */
  record Redacted(String rule) implements Decoder {
    /** What a redacted value shows. */
    public static final String MARKER = Redaction.MARKER;
  }

  /** A value that cannot be read by a uprobe at this PC (e.g. a float in an XMM register). */
  record Unavailable(String why) implements Decoder {}
}
