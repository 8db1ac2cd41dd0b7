package dev.dynlog.trace;

import com.sun.jna.Memory;
import dev.dynlog.bpf.BpfException;
import dev.dynlog.bpf.BpfMap;
import dev.dynlog.bpf.Layout;
import dev.dynlog.recipe.RecipeLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Keeps the kernel's entry/return pairing map bounded: entries older than their probe's pairing
 * timeout (a Go panic or a longjmp skipped the return) are deleted and counted per probe. A delete
 * that loses the race against the real return is not counted (the kernel counts that return as
 * unpaired instead), so every call ends up in exactly one of returns, evictions or in-flight.
 */
final class PairingSweeper implements AutoCloseable {
  private final BpfMap pairs;
  private final long[] timeoutNs = new long[RecipeLimits.MAX_PROBES];
  private final AtomicLongArray evicted = new AtomicLongArray(RecipeLimits.MAX_PROBES);
  private final ScheduledExecutorService timer;

  PairingSweeper(BpfMap pairs) {
    this.pairs = pairs;
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dynlog-pairing-sweeper");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(this::sweepQuietly, 1, 1, TimeUnit.SECONDS);
  }

  synchronized void watch(int probe, long timeoutNanos) {
    timeoutNs[probe] = timeoutNanos;
    evicted.set(probe, 0);
  }

  /** Stops sweeping for a probe and removes its entries (uncounted: the tracepoint is gone). */
  synchronized void forget(int probe) {
    timeoutNs[probe] = 0;
    try {
      sweep(probe);
    } catch (BpfException ignored) {
      // the map is gone with the object
    }
  }

  long evicted(int probe) {
    return evicted.get(probe);
  }

  private void sweepQuietly() {
    try {
      sweep(-1);
    } catch (BpfException | RuntimeException e) {
      // next round
    }
  }

  /** One pass: evicts stale entries, or every entry of {@code dropProbe} (>= 0). */
  synchronized void sweep(int dropProbe) throws BpfException {
    long now = WallClock.monotonicNs();
    List<Memory> keys = new ArrayList<>();
    Memory key = null;
    while (keys.size() < pairs.maxEntries()) {
      Memory next = new Memory(Layout.PAIR_KEY_SIZE);
      if (!pairs.nextKey(key, next)) break;
      keys.add(next);
      key = next;
    }
    Memory val = new Memory(Layout.PAIR_VAL_SIZE);
    for (Memory k : keys) {
      int probe = k.getInt(Layout.PAIR_KEY_PROBE);
      if (probe < 0 || probe >= RecipeLimits.MAX_PROBES) continue;
      if (probe == dropProbe) {
        pairs.delete(k);
        continue;
      }
      long timeout = timeoutNs[probe];
      if (timeout == 0 || !pairs.lookup(k, val)) continue;
      if (now - val.getLong(Layout.PAIR_VAL_TS) > timeout && pairs.delete(k))
        evicted.incrementAndGet(probe);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
