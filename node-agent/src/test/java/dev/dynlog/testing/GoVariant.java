package dev.dynlog.testing;

import java.util.List;

/**
 * A Go build of the Go target: a pinned toolchain version, optimised (the default flags: inlining
 * on) or not ({@code -gcflags=all=-N -l}).
 */
public record GoVariant(String version, boolean optimised) {
  /** Short id used in cache entry names and test display names, e.g. {@code go1.24.13-noopt}. */
  public String id() {
    return optimised ? version : version + "-noopt";
  }

  /** Extra {@code go build} flags of this variant. */
  public List<String> buildFlags() {
    return optimised ? List.of() : List.of("-gcflags=all=-N -l");
  }

  @Override
  public String toString() {
    return id();
  }
}
