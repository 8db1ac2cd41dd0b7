package dev.dynlog.cli;

import picocli.CommandLine.Command;

/** Placeholder until implemented: {@code dynlog inspect}. */
@Command(name = "inspect", description = "(not yet implemented)")
public final class InspectCommand implements java.util.concurrent.Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("dynlog inspect is not implemented yet");
  }
}
