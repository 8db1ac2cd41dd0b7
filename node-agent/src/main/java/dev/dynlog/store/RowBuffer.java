package dev.dynlog.store;

import dev.dynlog.trace.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The rows of one tracepoint: a ring bounded by row count and by estimated bytes ({@link RowSizer}
 * for rows, plus {@link #SLOT_BYTES} per allocated slot). Appending evicts the oldest rows until
 * the new one fits; evictions are counted. A buffer of a {@link TracepointRegistry} also counts its
 * bytes in the registry's {@link StoreBudget}, which may make it give up its oldest rows when all
 * buffers together hold too much ({@link StoreConfig#totalBytes()}). Thread-safe: one lock, held
 * only for the append itself, for an eviction, for copying references out ({@link #snapshot()}) and
 * for (un)subscribing.
 *
 * <p>Invariant: {@code appended() == size() + evicted()}.
 */
public final class RowBuffer {

  /** Bytes charged per allocated slot: a row reference plus its size estimate. */
  static final int SLOT_BYTES = 16;

  private static final int INITIAL_SLOTS = 64;

  /** The smallest byte bound a buffer accepts. */
  public static final long MIN_BYTES = 64 * 1024;

  private final int maxRows;
  private final long maxBytes;
  private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();

  /**
   * Where this buffer's bytes are also counted, or null (a buffer on its own, or one forgotten).
   */
  private StoreBudget budget;

  private Row[] rows;
  private int[] sizes;
  private int head;
  private int size;
  private long rowBytes;
  private long appended;
  private long evicted;

  /** A buffer on its own, bounded only by its own rows and bytes. */
  public RowBuffer(int maxRows, long maxBytes) {
    this(maxRows, maxBytes, null);
  }

  /** A buffer whose bytes also count in {@code budget} (null for none). */
  RowBuffer(int maxRows, long maxBytes, StoreBudget budget) {
    if (maxRows < 1)
      throw new IllegalArgumentException("maxRows must be at least 1, got " + maxRows);
    if (maxBytes < MIN_BYTES)
      throw new IllegalArgumentException("maxBytes must be at least " + MIN_BYTES);
    this.maxRows = maxRows;
    this.maxBytes = maxBytes;
    int initial = Math.min(maxRows, INITIAL_SLOTS);
    this.rows = new Row[initial];
    this.sizes = new int[initial];
    this.budget = budget;
    if (budget != null) budget.join(this, memoryBytes());
  }

  /**
   * Appends a row, evicting the oldest rows as needed, and hands it to every subscriber. A row
   * larger than the whole byte bound is counted as appended and immediately evicted.
   */
  public void append(Row row) {
    long estimate = RowSizer.estimate(row);
    StoreBudget shared;
    synchronized (this) {
      long before = memoryBytes();
      appendLocked(row, estimate);
      shared = budget;
      if (shared != null) shared.add(memoryBytes() - before);
    }
    if (shared != null) shared.enforce();
  }

  private void appendLocked(Row row, long estimate) {
    appended++;
    for (Subscription s : subscribers) s.offer(row);
    if (estimate + (long) SLOT_BYTES * rows.length > maxBytes) {
      evicted++;
      return;
    }
    while (size > 0 && (size >= maxRows || memoryAfter(rows.length, estimate) > maxBytes))
      evictOldest();
    if (size == rows.length) {
      int grown = (int) Math.min(maxRows, 2L * rows.length);
      if (memoryAfter(grown, estimate) <= maxBytes) {
        grow(grown);
      } else {
        evictOldest();
      }
    }
    int slot = (head + size) % rows.length;
    rows[slot] = row;
    sizes[slot] = (int) Math.min(Integer.MAX_VALUE, estimate);
    rowBytes += estimate;
    size++;
  }

  /**
   * Gives up the oldest rows until at least {@code bytes} are freed or none is left (each counted
   * as evicted), then releases slots no longer needed. Called by the {@link StoreBudget}.
   *
   * @return the bytes freed (0 when there was nothing to free)
   */
  synchronized long shed(long bytes) {
    long before = memoryBytes();
    while (size > 0 && before - memoryBytes() < bytes) evictOldest();
    int wanted = Math.max(Math.min(maxRows, INITIAL_SLOTS), size + size / 2);
    if (rows.length > 2L * wanted) resize(wanted);
    long freed = before - memoryBytes();
    if (budget != null) budget.add(-freed);
    return freed;
  }

  /** Stops counting in the budget; returns the bytes that were counted there. */
  synchronized long leaveBudget() {
    budget = null;
    return memoryBytes();
  }

  private long memoryAfter(int slots, long extraRowBytes) {
    return rowBytes + extraRowBytes + (long) SLOT_BYTES * slots;
  }

  private void evictOldest() {
    rowBytes -= sizes[head];
    rows[head] = null;
    head = (head + 1) % rows.length;
    size--;
    evicted++;
  }

  private void grow(int slots) {
    resize(slots);
  }

  /** Moves the rows, oldest first, into new arrays of {@code slots} slots ({@code >= size}). */
  private void resize(int slots) {
    Row[] newRows = new Row[slots];
    int[] newSizes = new int[slots];
    for (int i = 0; i < size; i++) {
      int from = (head + i) % rows.length;
      newRows[i] = rows[from];
      newSizes[i] = sizes[from];
    }
    rows = newRows;
    sizes = newSizes;
    head = 0;
  }

  /** The buffered rows, oldest first (a copy of the references). */
  public synchronized Row[] snapshot() {
    Row[] out = new Row[size];
    int first = Math.min(size, rows.length - head);
    System.arraycopy(rows, head, out, 0, first);
    System.arraycopy(rows, 0, out, first, size - first);
    return out;
  }

  /**
   * Starts following: the returned subscription holds the buffered rows matching {@code filter}
   * (its history) and then receives every later matching row, with no gap and no duplicate.
   */
  public synchronized Subscription subscribe(Predicate<Row> filter, int queueCapacity) {
    List<Row> history = new ArrayList<>();
    for (Row row : snapshot()) {
      if (filter.test(row)) history.add(row);
    }
    Subscription s = new Subscription(this, filter, queueCapacity, history);
    subscribers.add(s);
    return s;
  }

  synchronized void unsubscribe(Subscription s) {
    subscribers.remove(s);
  }

  /** Ends every subscription: no more rows will be appended. */
  synchronized void endSubscriptions() {
    for (Subscription s : subscribers) s.end();
  }

  /** Rows currently buffered. */
  public synchronized int size() {
    return size;
  }

  /** Estimated bytes held: rows plus allocated slots; never above the configured bound. */
  public synchronized long memoryBytes() {
    return rowBytes + (long) SLOT_BYTES * rows.length;
  }

  /** Rows ever appended. */
  public synchronized long appended() {
    return appended;
  }

  /** Rows evicted to make room (or dropped as larger than the whole buffer). */
  public synchronized long evicted() {
    return evicted;
  }

  /** Number of live subscriptions. */
  public int subscribers() {
    return subscribers.size();
  }

  public int maxRows() {
    return maxRows;
  }

  public long maxBytes() {
    return maxBytes;
  }
}
