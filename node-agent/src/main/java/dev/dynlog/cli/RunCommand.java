package dev.dynlog.cli;

import picocli.CommandLine.Command;

/** Placeholder until implemented: {@code dynlog run}. */
@Command(name = "run", description = "(not yet implemented)")
public final class RunCommand implements java.util.concurrent.Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("dynlog run is not implemented yet");
  }
}
