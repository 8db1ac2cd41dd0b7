package dev.dynlog.store;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes that all row buffers of one registry may hold together ({@link
 * StoreConfig#totalBytes()}), on top of each buffer's own bound. Every buffer reports each change
 * of its {@link RowBuffer#memoryBytes()} here; when an append takes the sum above the limit, the
 * buffer holding the most bytes gives up its oldest rows (counted as evicted, as its own bound
 * would), then the next largest, until the sum is {@link #slack()} below the limit. So a busy
 * tracepoint cannot starve a quiet one: each of N tracepoints keeps at least about 1/N of the
 * budget for as long as it needs it.
 *
 * <p>Locks: {@link #enforce()} holds this object's lock and takes one buffer's lock at a time; a
 * buffer never takes this lock while holding its own (it only adds to an atomic counter), so the
 * order is always budget then buffer.
 */
final class StoreBudget {

  private final long limit;
  private final long slack;
  private final AtomicLong used = new AtomicLong();
  private final Set<RowBuffer> buffers = ConcurrentHashMap.newKeySet();

  StoreBudget(long limit) {
    this.limit = limit;
    this.slack = limit / 16;
  }

  /** The limit on the sum of all buffers' bytes. */
  long limit() {
    return limit;
  }

  /** How far below the limit an eviction goes, so that it is not repeated at every append. */
  long slack() {
    return slack;
  }

  /** Bytes held by all buffers together. */
  long used() {
    return used.get();
  }

  /** Starts counting a new buffer (its initial slots included). */
  void join(RowBuffer buffer, long bytes) {
    buffers.add(buffer);
    used.addAndGet(bytes);
  }

  /** Forgets a buffer whose tracepoint is gone, releasing everything it held. */
  void leave(RowBuffer buffer) {
    if (buffers.remove(buffer)) used.addAndGet(-buffer.leaveBudget());
  }

  /** A buffer's bytes changed by {@code delta} (called under that buffer's lock). */
  void add(long delta) {
    used.addAndGet(delta);
  }

  /**
   * Called after every append, outside any buffer's lock: when the sum is above the limit, evicts
   * oldest rows from the largest buffers until it is {@link #slack()} below it.
   */
  void enforce() {
    if (used.get() <= limit) return;
    synchronized (this) {
      long target = limit - slack;
      Set<RowBuffer> exhausted = new HashSet<>();
      while (used.get() > target) {
        RowBuffer largest = null;
        long largestBytes = -1;
        long secondBytes = 0;
        for (RowBuffer b : buffers) {
          if (exhausted.contains(b)) continue;
          long bytes = b.memoryBytes();
          if (bytes > largestBytes) {
            secondBytes = Math.max(largestBytes, 0);
            largest = b;
            largestBytes = bytes;
          } else if (bytes > secondBytes) {
            secondBytes = bytes;
          }
        }
        if (largest == null) return; // nothing left that can shrink
        long excess = used.get() - target;
        // down to the second largest, or an eighth of it when they are equal
        long round = Math.min(excess, Math.max(largestBytes - secondBytes, largestBytes / 8));
        if (largest.shed(round) <= 0) exhausted.add(largest);
      }
    }
  }
}
