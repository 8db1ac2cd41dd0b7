package dev.dynlog.symbols;

/** The source language of a compile unit, from DW_AT_language. */
public enum Language {
  GO,
  C,
  CPP,
  OTHER
}
