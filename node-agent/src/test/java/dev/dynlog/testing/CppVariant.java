package dev.dynlog.testing;

/**
 * A build of the C++ target: a compiler and an optimisation level ({@code O0} or {@code O2}), with
 * -g.
 */
public record CppVariant(Compiler compiler, String optLevel) {
  /** Short id used in cache entry names and test display names, e.g. {@code clang++-O2}. */
  public String id() {
    return compiler.id() + "-" + optLevel;
  }

  @Override
  public String toString() {
    return id();
  }
}
