package dev.dynlog.cli;

import picocli.CommandLine.Command;

/** Placeholder until implemented: {@code dynlog trace}. */
@Command(name = "trace", description = "(not yet implemented)")
public final class TraceCommand implements java.util.concurrent.Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("dynlog trace is not implemented yet");
  }
}
