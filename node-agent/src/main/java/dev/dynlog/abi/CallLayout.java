package dev.dynlog.abi;

import java.util.List;

/**
 * Where every argument and result of one function lives, by replaying its calling convention.
 *
 * @param convention the calling convention's name (e.g. "Go ABIInternal", "System V x86-64")
 * @param arguments one location per argument, parallel to {@code Function.arguments()} (receiver or
 *     {@code this} first); valid at the entry probe
 * @param results one location per result (Go results; the C/C++ return value, none for void); valid
 *     at a return probe
 */
public record CallLayout(String convention, List<Location> arguments, List<Location> results) {
  public CallLayout {
    arguments = List.copyOf(arguments);
    results = List.copyOf(results);
  }
}
