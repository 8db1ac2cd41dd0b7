package dev.dynlog.elf;

/**
 * A malformed or unsupported ELF file: truncated, corrupted headers, sections outside the file, bad
 * compression. Unchecked inside the reader; the public {@code Binary} API turns it into a {@code
 * ResolveException} naming the file.
 */
public class ElfFormatException extends RuntimeException {
  public ElfFormatException(String message) {
    super(message);
  }

  public ElfFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
