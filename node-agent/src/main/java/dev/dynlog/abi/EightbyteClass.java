package dev.dynlog.abi;

/** The System V psABI class of one eightbyte of an argument. */
public enum EightbyteClass {
  NONE,
  INTEGER,
  SSE,
  /** Upper half of a 16-byte SSE scalar (__float128); travels with the SSE half. */
  SSEUP,
  X87,
  MEMORY;

  /** The psABI merge rule for two classes meeting in one eightbyte. */
  EightbyteClass merge(EightbyteClass other) {
    if (this == other) return this;
    if (this == NONE) return other;
    if (other == NONE) return this;
    if (this == MEMORY || other == MEMORY) return MEMORY;
    if (this == INTEGER || other == INTEGER) return INTEGER;
    if (this == X87 || other == X87) return MEMORY;
    return SSE;
  }
}
