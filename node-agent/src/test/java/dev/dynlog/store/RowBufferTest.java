package dev.dynlog.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.trace.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RowBufferTest {

  private static long index(Row r) {
    return (Long) r.captures().get("i");
  }

  @Test
  void rowCountBoundEvictsOldestFirstAndCountsEvictions() {
    RowBuffer b = new RowBuffer(100, 64L << 20);
    for (int i = 0; i < 250; i++) b.append(Rows.numbered("t", i, 4));
    Row[] rows = b.snapshot();
    assertEquals(100, rows.length);
    for (int i = 0; i < 100; i++)
      assertEquals(150 + i, index(rows[i]), "oldest first, newest kept");
    assertEquals(250, b.appended());
    assertEquals(150, b.evicted());
    assertEquals(b.appended(), b.size() + b.evicted());
  }

  @Test
  void byteBoundHoldsAndEvictsOldestFirst() {
    long maxBytes = 256 * 1024;
    RowBuffer b = new RowBuffer(1_000_000, maxBytes);
    long rowBytes = RowSizer.estimate(Rows.numbered("t", 0, 1000));
    for (int i = 0; i < 5000; i++) {
      b.append(Rows.numbered("t", i, 1000));
      assertTrue(b.memoryBytes() <= maxBytes, "bytes " + b.memoryBytes() + " > bound " + maxBytes);
    }
    Row[] rows = b.snapshot();
    // Every slot costs SLOT_BYTES too, so fewer rows than maxBytes / rowBytes fit, but not many
    // fewer.
    assertTrue(rows.length <= maxBytes / rowBytes, rows.length + " rows");
    assertTrue(
        rows.length >= maxBytes / (rowBytes + 2 * RowBuffer.SLOT_BYTES) - 1, rows.length + " rows");
    assertEquals(4999, index(rows[rows.length - 1]));
    for (int i = 1; i < rows.length; i++) assertEquals(index(rows[i - 1]) + 1, index(rows[i]));
    assertEquals(5000, b.size() + b.evicted());
  }

  @Test
  void rowLargerThanTheWholeBufferIsCountedAsEvicted() {
    RowBuffer b = new RowBuffer(10, RowBuffer.MIN_BYTES);
    b.append(Rows.numbered("t", 1, 4));
    b.append(Rows.numbered("t", 2, 100_000));
    assertEquals(1, b.size());
    assertEquals(1, b.evicted());
    assertEquals(2, b.appended());
  }

  @Test
  void rejectsBadBounds() {
    assertThrows(IllegalArgumentException.class, () -> new RowBuffer(0, 1 << 20));
    assertThrows(IllegalArgumentException.class, () -> new RowBuffer(10, 1000));
  }

  @Test
  void subscriptionGetsHistoryThenEveryLaterRowWithoutGapOrDuplicate() throws Exception {
    RowBuffer b = new RowBuffer(1000, 64L << 20);
    for (int i = 0; i < 10; i++) b.append(Rows.numbered("t", i, 4));
    Thread producer;
    List<Long> seen = new ArrayList<>();
    try (Subscription s = b.subscribe(r -> index(r) % 2 == 0, 10_000)) {
      producer =
          new Thread(
              () -> {
                for (int i = 10; i < 2000; i++) b.append(Rows.numbered("t", i, 4));
              });
      producer.start();
      for (Row r : s.history()) seen.add(index(r));
      while (seen.size() < 1000) {
        Row r = s.next(5, TimeUnit.SECONDS);
        if (r == null) break;
        seen.add(index(r));
      }
      producer.join();
      assertNull(s.next(10, TimeUnit.MILLISECONDS));
      assertEquals(0, s.takeLagged());
    }
    assertEquals(1000, seen.size());
    for (int k = 0; k < seen.size(); k++) assertEquals(2L * k, seen.get(k));
    assertEquals(0, b.subscribers());
  }

  @Test
  void slowSubscriberMissesRowsAndCountsThem() throws Exception {
    RowBuffer b = new RowBuffer(100, 64L << 20);
    try (Subscription s = b.subscribe(r -> true, 16)) {
      for (int i = 0; i < 100; i++) b.append(Rows.numbered("t", i, 4));
      int delivered = 0;
      while (s.next(0, TimeUnit.MILLISECONDS) != null) delivered++;
      assertEquals(16, delivered);
      assertEquals(84, s.takeLagged());
      assertEquals(0, s.takeLagged(), "taking resets the count");
    }
  }

  @Test
  void endedSubscriptionFinishesAfterDraining() throws Exception {
    RowBuffer b = new RowBuffer(100, 64L << 20);
    Subscription s = b.subscribe(r -> true, 16);
    b.append(Rows.numbered("t", 1, 4));
    b.endSubscriptions();
    assertTrue(!s.isFinished());
    assertEquals(1, index(s.next(0, TimeUnit.MILLISECONDS)));
    assertTrue(s.isFinished());
    long t0 = System.nanoTime();
    assertNull(s.next(5, TimeUnit.SECONDS));
    assertTrue(
        System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1),
        "an ended subscription does not wait");
  }
}
