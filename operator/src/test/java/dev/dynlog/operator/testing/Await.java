package dev.dynlog.operator.testing;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls until a condition holds; fails with the description and the last value seen. */
public final class Await {

  private Await() {}

  /** Returns the first value that satisfies {@code done}, polling every 50 ms. */
  public static <T> T until(
      String description, Duration timeout, Supplier<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    RuntimeException lastError = null;
    while (System.nanoTime() < deadline) {
      try {
        last = probe.get();
        lastError = null;
        if (done.test(last)) {
          return last;
        }
      } catch (RuntimeException e) {
        lastError = e;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    AssertionError error =
        new AssertionError(
            "timed out after " + timeout + " waiting for " + description + "; last value: " + last);
    if (lastError != null) {
      error.initCause(lastError);
    }
    throw error;
  }
}
