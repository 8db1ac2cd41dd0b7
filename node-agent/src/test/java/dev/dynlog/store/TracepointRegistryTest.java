package dev.dynlog.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.trace.ProbeCounters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TracepointRegistryTest {

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  static TracepointInfo info(String name) {
    return new TracepointInfo(name, "main.F", "pid 1", List.of("i", "s"), true, List.of());
  }

  static ProbeCounters calls(long n) {
    return new ProbeCounters(n, n, 0, new long[0], new long[] {n}, 0, 0, 0, 0, 0, 0, 0, 1);
  }

  @Test
  void stoppedTracepointStaysQueryableForTheRetentionThenDisappears() {
    ManualClock clock = new ManualClock();
    TracepointRegistry reg =
        new TracepointRegistry(new StoreConfig(1000, 1 << 20, Duration.ofMinutes(10)), clock);
    StoredTracepoint tp = reg.register(info("a"), () -> calls(7));
    tp.append(Rows.numbered("a", 1, 4));
    reg.stop("a", TracepointState.STOPPED, "duration elapsed");
    assertEquals(TracepointState.STOPPED, tp.state());
    assertEquals("duration elapsed", tp.stopReason());
    clock.now = clock.now.plus(Duration.ofMinutes(9));
    assertEquals(1, reg.find("a").orElseThrow().buffer().size());
    clock.now = clock.now.plus(Duration.ofMinutes(2));
    assertTrue(reg.find("a").isEmpty());
    assertTrue(reg.list().isEmpty());
  }

  @Test
  void countersAreFrozenWhenStoppedEvenIfTheSourceFailsAfterwards() {
    AtomicLong kernel = new AtomicLong(5);
    AtomicBoolean closed = new AtomicBoolean();
    TracepointRegistry reg = new TracepointRegistry(StoreConfig.DEFAULT);
    StoredTracepoint tp =
        reg.register(
            info("a"),
            () -> {
              if (closed.get()) throw new IllegalStateException("map closed");
              return calls(kernel.get());
            });
    assertEquals(5, tp.counters().calls());
    kernel.set(9);
    reg.stop("a", TracepointState.EXPIRED, "ttl elapsed");
    closed.set(true);
    kernel.set(100);
    assertEquals(9, tp.counters().calls());
    assertEquals(TracepointState.EXPIRED, tp.state());
  }

  @Test
  void runningNameCannotBeTakenTwiceButAStoppedOneIsReplaced() {
    TracepointRegistry reg = new TracepointRegistry(StoreConfig.DEFAULT);
    StoredTracepoint first = reg.register(info("a"), () -> calls(1));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> reg.register(info("a"), () -> calls(1)));
    assertTrue(e.getMessage().contains("'a' is already running"), e.getMessage());
    reg.stop("a", TracepointState.STOPPED, "done");
    StoredTracepoint second = reg.register(info("a"), () -> calls(2));
    assertNotSame(first, second);
    assertEquals(TracepointState.RUNNING, reg.find("a").orElseThrow().state());
  }

  @Test
  void appendByNameAndUnknownNames() {
    TracepointRegistry reg = new TracepointRegistry(StoreConfig.DEFAULT);
    reg.register(info("b"), () -> calls(1));
    reg.register(info("a"), () -> calls(1));
    reg.append(Rows.numbered("b", 1, 3));
    assertEquals(1, reg.find("b").orElseThrow().buffer().size());
    assertEquals(List.of("a", "b"), reg.list().stream().map(StoredTracepoint::name).toList());
    assertThrows(IllegalArgumentException.class, () -> reg.append(Rows.numbered("zz", 1, 3)));
    assertThrows(
        IllegalArgumentException.class, () -> reg.stop("zz", TracepointState.STOPPED, "x"));
  }

  @Test
  void labelsMustBeCaptures() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new TracepointInfo(
                    "a", "f", "t", List.of("x"), false, List.of(new LabelSpec("status", 5))));
    assertTrue(e.getMessage().contains("label 'status' is not a capture"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LabelSpec("tracepoint", 5));
    assertThrows(IllegalArgumentException.class, () -> new LabelSpec("ok", 0));
  }
}
