package dev.dynlog.cli;

import picocli.CommandLine.Command;

/** Placeholder until implemented: {@code dynlog events}. */
@Command(name = "events", description = "(not yet implemented)")
public final class EventsCommand implements java.util.concurrent.Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("dynlog events is not implemented yet");
  }
}
