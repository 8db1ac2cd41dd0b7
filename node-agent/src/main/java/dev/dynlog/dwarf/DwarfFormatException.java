package dev.dynlog.dwarf;

/**
 * Malformed or unsupported DWARF: truncated sections, unknown forms, references out of range,
 * nesting too deep. Unchecked inside the reader; {@link DwarfBinary} reports it as a {@code
 * ResolveException} naming the binary.
 */
public class DwarfFormatException extends RuntimeException {
  public DwarfFormatException(String message) {
    super(message);
  }
}
