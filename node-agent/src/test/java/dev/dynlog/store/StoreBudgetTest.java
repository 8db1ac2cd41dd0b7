package dev.dynlog.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.store.TracepointRegistryTest.ManualClock;
import dev.dynlog.trace.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * All buffers of a registry together stay within {@link StoreConfig#totalBytes()}, whatever the
 * number of tracepoints: the largest buffer gives up its oldest rows, counted as evicted.
 */
class StoreBudgetTest {

  private static final long MIB = 1L << 20;

  private static long index(Row r) {
    return (Long) r.captures().get("i");
  }

  private static long sumOfBuffers(TracepointRegistry reg) {
    return reg.list().stream().mapToLong(tp -> tp.buffer().memoryBytes()).sum();
  }

  /** Each tracepoint's buffered rows are its newest ones, consecutive, ending at {@code last}. */
  private static void newestKept(StoredTracepoint tp, long last) {
    Row[] rows = tp.buffer().snapshot();
    assertTrue(rows.length > 0, tp.name() + " keeps rows");
    assertEquals(last, index(rows[rows.length - 1]), tp.name() + ": the newest row is kept");
    for (int i = 1; i < rows.length; i++) {
      assertEquals(index(rows[i - 1]) + 1, index(rows[i]), tp.name() + ": oldest evicted first");
    }
    assertEquals(tp.buffer().appended(), tp.buffer().size() + tp.buffer().evicted());
  }

  @Test
  void manyTracepointsTogetherStayWithinTheTotal() {
    long total = 4 * MIB;
    TracepointRegistry reg =
        new TracepointRegistry(new StoreConfig(100_000, 64 * MIB, total, Duration.ofMinutes(5)));
    int n = 200;
    for (int t = 0; t < n; t++) reg.register(TracepointRegistryTest.info("t" + t), () -> null);
    int perTracepoint = 300;
    for (int i = 0; i < perTracepoint; i++) {
      for (int t = 0; t < n; t++) {
        reg.append(Rows.numbered("t" + t, i, 200));
        assertTrue(
            reg.memoryBytes() <= total, "all buffers hold " + reg.memoryBytes() + " > " + total);
      }
    }
    assertEquals(sumOfBuffers(reg), reg.memoryBytes(), "the budget counts every byte exactly");
    long evicted = 0;
    for (StoredTracepoint tp : reg.list()) {
      newestKept(tp, perTracepoint - 1);
      evicted += tp.buffer().evicted();
    }
    long rowBytes = RowSizer.estimate(Rows.numbered("t0", 0, 200));
    assertTrue(
        (long) n * perTracepoint * rowBytes > 2 * total, "the rows appended exceed the total");
    assertTrue(evicted > n * perTracepoint / 2, "most rows were evicted: " + evicted);
    assertTrue(
        reg.memoryBytes() >= total / 2, "the budget is used, not wasted: " + reg.memoryBytes());
  }

  @Test
  void aBusyTracepointCannotPushOutAQuietOne() {
    long total = 2 * MIB;
    TracepointRegistry reg =
        new TracepointRegistry(new StoreConfig(1_000_000, 64 * MIB, total, Duration.ofMinutes(5)));
    reg.register(TracepointRegistryTest.info("quiet"), () -> null);
    reg.register(TracepointRegistryTest.info("busy"), () -> null);
    for (int i = 0; i < 10; i++) reg.append(Rows.numbered("quiet", i, 100));
    for (int i = 0; i < 50_000; i++) {
      reg.append(Rows.numbered("busy", i, 100));
      assertTrue(reg.memoryBytes() <= total);
    }
    StoredTracepoint quiet = reg.find("quiet").orElseThrow();
    assertEquals(10, quiet.buffer().size(), "the quiet tracepoint keeps every row");
    assertEquals(0, quiet.buffer().evicted());
    StoredTracepoint busy = reg.find("busy").orElseThrow();
    assertTrue(busy.buffer().evicted() > 40_000, "the busy one gives up its oldest rows");
    newestKept(busy, 49_999);
  }

  @Test
  void stoppedTracepointsCountUntilTheyAreForgottenOrReplaced() {
    ManualClock clock = new ManualClock();
    long total = 2 * MIB;
    TracepointRegistry reg =
        new TracepointRegistry(
            new StoreConfig(1_000_000, 64 * MIB, total, Duration.ofMinutes(10)), clock);
    reg.register(TracepointRegistryTest.info("old"), () -> null);
    for (int i = 0; i < 20_000; i++) reg.append(Rows.numbered("old", i, 100));
    reg.stop("old", TracepointState.STOPPED, "done");
    long held = reg.memoryBytes();
    assertTrue(held > total / 2, "a stopped tracepoint's rows stay: " + held);
    // a new tracepoint gets room from the stopped one, which is the largest
    reg.register(TracepointRegistryTest.info("new"), () -> null);
    int quarter = (int) (total / 4 / RowSizer.estimate(Rows.numbered("new", 0, 100)));
    for (int i = 0; i < quarter; i++) reg.append(Rows.numbered("new", i, 100));
    assertTrue(reg.memoryBytes() <= total);
    assertEquals(quarter, reg.find("new").orElseThrow().buffer().size(), "new rows all kept");
    RowBuffer old = reg.find("old").orElseThrow().buffer();
    assertTrue(old.memoryBytes() < held, "the stopped one gave up rows");
    newestKept(reg.find("old").orElseThrow(), 19_999);
    // past the retention the stopped one is forgotten and its bytes with it
    clock.now = clock.now.plus(Duration.ofMinutes(11));
    assertTrue(reg.find("old").isEmpty());
    assertEquals(sumOfBuffers(reg), reg.memoryBytes());
    assertEquals(reg.find("new").orElseThrow().buffer().memoryBytes(), reg.memoryBytes());
    // a stopped tracepoint replaced by a new one of the same name releases its bytes too
    reg.stop("new", TracepointState.STOPPED, "done");
    reg.register(TracepointRegistryTest.info("new"), () -> null);
    assertEquals(sumOfBuffers(reg), reg.memoryBytes());
    assertTrue(reg.memoryBytes() < 4096, "only the fresh buffer's slots: " + reg.memoryBytes());
  }

  @Test
  void aBufferThatGaveUpItsRowsAlsoGivesUpItsSlots() {
    long total = MIB;
    TracepointRegistry reg =
        new TracepointRegistry(new StoreConfig(1_000_000, 64 * MIB, total, Duration.ofMinutes(5)));
    reg.register(TracepointRegistryTest.info("a"), () -> null);
    for (int i = 0; i < 100_000; i++) reg.append(Rows.numbered("a", i, 1)); // small rows
    reg.register(TracepointRegistryTest.info("b"), () -> null);
    for (int i = 0; i < 3_000; i++) reg.append(Rows.numbered("b", i, 200)); // large rows
    RowBuffer a = reg.find("a").orElseThrow().buffer();
    assertTrue(reg.memoryBytes() <= total);
    assertTrue(
        a.memoryBytes()
            <= (long) RowBuffer.SLOT_BYTES * 4 * Math.max(a.size(), 64)
                + a.size() * RowSizer.estimate(Rows.numbered("a", 0, 1)),
        "slots follow the rows down: " + a.memoryBytes() + " bytes for " + a.size() + " rows");
    assertEquals(sumOfBuffers(reg), reg.memoryBytes());
  }

  @Test
  void concurrentAppendsKeepTheAccountExact() throws Exception {
    long total = 2 * MIB;
    TracepointRegistry reg =
        new TracepointRegistry(new StoreConfig(100_000, 64 * MIB, total, Duration.ofMinutes(5)));
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      String name = "t" + t;
      reg.register(TracepointRegistryTest.info(name), () -> null);
      threads.add(
          new Thread(
              () -> {
                for (int i = 0; i < 20_000; i++) reg.append(Rows.numbered(name, i, 150));
              }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) t.join();
    assertTrue(reg.memoryBytes() <= total, reg.memoryBytes() + " > " + total);
    assertEquals(sumOfBuffers(reg), reg.memoryBytes());
    for (StoredTracepoint tp : reg.list()) newestKept(tp, 19_999);
  }

  @Test
  void noBufferIsBoundAboveTheTotalAndTheTotalHasAFloor() {
    TracepointRegistry reg =
        new TracepointRegistry(new StoreConfig(100, 64 * MIB, 2 * MIB, Duration.ZERO));
    assertEquals(
        2 * MIB, reg.register(TracepointRegistryTest.info("a"), () -> null).buffer().maxBytes());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new StoreConfig(100, 64 * 1024, 1000, Duration.ZERO));
    assertTrue(e.getMessage().contains("totalBytes must be at least 1048576"), e.getMessage());
    assertEquals(256 * MIB, StoreConfig.DEFAULT.totalBytes());
    assertEquals(256 * MIB, new StoreConfig(10, 64 * 1024, Duration.ZERO).totalBytes());
  }
}
