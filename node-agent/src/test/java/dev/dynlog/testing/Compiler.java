package dev.dynlog.testing;

/** The C++ compilers the C++ target is built with; each lists the executable names it may have. */
public enum Compiler {
  GXX("g++", "g++", "g++-12"),
  CLANGXX("clang++", "clang++-14", "clang++");

  private final String id;
  private final String[] candidates;

  Compiler(String id, String... candidates) {
    this.id = id;
    this.candidates = candidates;
  }

  /** Short id, e.g. {@code clang++}. */
  public String id() {
    return id;
  }

  /** Executable names to look for on the PATH, preferred first. */
  String[] candidates() {
    return candidates.clone();
  }
}
