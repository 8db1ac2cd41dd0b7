package dev.dynlog.store;

import dev.dynlog.trace.Row;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A live follower of one tracepoint's rows: receives every new matching row through a bounded
 * queue. A follower that falls behind loses rows rather than slowing the tracer; the loss is
 * counted ({@link #takeLagged()}), so delivered + lagged equals the matching rows appended while
 * subscribed.
 */
public final class Subscription implements AutoCloseable {

  private final RowBuffer buffer;
  private final Predicate<Row> filter;
  private final BlockingQueue<Row> queue;
  private final List<Row> history;
  private final AtomicLong lagged = new AtomicLong();
  private volatile boolean ended;

  Subscription(RowBuffer buffer, Predicate<Row> filter, int capacity, List<Row> history) {
    this.buffer = buffer;
    this.filter = filter;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.history = history;
  }

  /** Rows that were already in the buffer when the subscription started, oldest first. */
  public List<Row> history() {
    return history;
  }

  /** Called by the buffer, under its lock, for every appended row. */
  void offer(Row row) {
    if (!filter.test(row)) return;
    if (!queue.offer(row)) lagged.incrementAndGet();
  }

  /** Called when the tracepoint stops: no more rows will come. */
  void end() {
    ended = true;
  }

  /**
   * The next row, waiting at most {@code timeout}; null on timeout or once the tracepoint has
   * stopped and every queued row was taken (see {@link #isFinished()}).
   */
  public Row next(long timeout, TimeUnit unit) throws InterruptedException {
    Row row = queue.poll();
    if (row != null || ended) return row;
    return queue.poll(timeout, unit);
  }

  /** Rows lost since the last call because this follower was too slow; resets the count. */
  public long takeLagged() {
    return lagged.getAndSet(0);
  }

  /** True when the tracepoint stopped and every row was taken. */
  public boolean isFinished() {
    return ended && queue.isEmpty();
  }

  @Override
  public void close() {
    buffer.unsubscribe(this);
  }
}
