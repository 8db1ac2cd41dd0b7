package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest: how fast the tracer turns ring buffer events into rows on one core, against libbpf's own
 * C consumer ({@code ring_buffer__poll} with an empty callback) on the same event stream (a Go
 * target's F(a, s) (int, error) calls with latency: an entry and a return event per row, produced
 * identically for each consumer while nobody reads, then consumed in one timed go). Prints figures.
 *
 * <p>{@code mvn -Ddynlog.out=target-bpf -pl node-agent -am -Pbenchmark test -Dtest=IngestBenchmarkTest}
 */
@Tag("benchmark")
class IngestBenchmarkTest {
  static final int PER_GOROUTINE = 20; // x 1000 goroutines = 20,000 rows, 40,000 events (~6 MB)
  static final int WARMUP = 4; // untimed rounds first, so the JIT has compiled the Java consumers
  static final int ROUNDS = 5;

  static final String C_CONSUMER = """
      #include <stdio.h>
      #include <stdlib.h>
      #include <time.h>
      #include <bpf/bpf.h>
      #include <bpf/libbpf.h>
      static long seen;
      static int on_event(void *ctx, void *data, size_t len) { seen++; return 0; }
      int main(int argc, char **argv) {
        long want = atol(argv[2]);
        int fd = bpf_map_get_fd_by_id(atoi(argv[1]));
        if (fd < 0) { perror("bpf_map_get_fd_by_id"); return 1; }
        struct ring_buffer *rb = ring_buffer__new(fd, on_event, NULL, NULL);
        if (!rb) { perror("ring_buffer__new"); return 1; }
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        while (seen < want) ring_buffer__poll(rb, 100);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("%ld %lld\\n", seen, (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
        return 0;
      }
      """;

  @TempDir static Path dir;

  interface Consumer {
    /** Consumes {@code events} events ({@code rows} rows) of a paused tracer; returns elapsed ns. */
    long consume(Tracer tracer, long events, long rows, AtomicLong delivered, CountDownLatch done) throws Exception;
  }

  /** Fills the ring of a paused tracer with the stream, then times {@code consumer}. */
  static long round(Path bin, Consumer consumer) throws Exception {
    try (Tracer tracer = Tracer.open(false)) {
      AtomicLong delivered = new AtomicLong();
      long rows = 1000L * PER_GOROUTINE;
      CountDownLatch done = new CountDownLatch(1);
      Tracepoint tp;
      try (TargetRun t = TargetRun.start(bin, "calls", String.valueOf(PER_GOROUTINE))) {
        tp = tracer.attach(GoTraceTest.planFor(bin), Target.process(t.pid()),
            TraceOptions.defaults().withLatency(true).withSymbolizer(GoTarget.symbolizer(bin)), r -> {
              if (delivered.incrementAndGet() == rows) done.countDown();
            });
        t.go();
        t.awaitExit();
      }
      ProbeCounters c = tp.counters();
      assertEquals(rows, c.calls());
      assertEquals(0, c.droppedRingFull(), "the stream must fit the ring");
      long ns = consumer.consume(tracer, c.calls() + c.returns(), rows, delivered, done);
      tp.close();
      return ns;
    }
  }

  @Test
  void decodedRowsPerSecondAgainstLibbpfConsumer() throws Exception {
    Path bin = GoTarget.build();
    Path cConsumer = dir.resolve("consume");
    Files.writeString(dir.resolve("consume.c"), C_CONSUMER);
    Toolchain.run(dir, "gcc", "-O2", "-o", cConsumer.toString(), dir.resolve("consume.c").toString(), "-lbpf");
    long rows = 1000L * PER_GOROUTINE;
    long bestC = Long.MAX_VALUE, bestRaw = Long.MAX_VALUE, bestRows = Long.MAX_VALUE;
    for (int i = 0; i < WARMUP + ROUNDS; i++) {
      boolean timed = i >= WARMUP;
      long c = round(bin, (tracer, events, r, delivered, done) -> {
        String[] out = Toolchain.run(null, cConsumer.toString(), String.valueOf(tracer.object().map("events").id()),
            String.valueOf(events)).trim().split(" ");
        assertEquals(events, Long.parseLong(out[0]));
        return Long.parseLong(out[1]);
      });
      long raw = round(bin, (tracer, events, r, delivered, done) -> {
        long[] seen = new long[1];
        long t0 = System.nanoTime();
        while (seen[0] < events) tracer.ring().poll((buf, off, len) -> seen[0]++, 100);
        long ns = System.nanoTime() - t0;
        assertEquals(events, seen[0]);
        return ns;
      });
      long decoded = round(bin, (tracer, events, r, delivered, done) -> {
        long t0 = System.nanoTime();
        tracer.startReader();
        if (!done.await(60, TimeUnit.SECONDS)) throw new AssertionError("rows delivered: " + delivered.get());
        return System.nanoTime() - t0;
      });
      System.out.printf("round %d%s: libbpf %.2f ms, reader %.2f ms, decoded rows %.2f ms%n", i, timed ? "" : " (warm-up)",
          c / 1e6, raw / 1e6, decoded / 1e6);
      if (timed) {
        bestC = Math.min(bestC, c);
        bestRaw = Math.min(bestRaw, raw);
        bestRows = Math.min(bestRows, decoded);
      }
    }
    double events = 2.0 * rows;
    System.out.printf("stream: %d rows, %.0f events; best of %d rounds after %d warm-up rounds%n", rows, events, ROUNDS, WARMUP);
    System.out.printf("libbpf ring_buffer__poll, empty callback: %.2f M events/s (%.2f M rows/s)%n",
        events / bestC * 1e3, rows / (double) bestC * 1e3);
    System.out.printf("dynlog mmapped reader, empty handler:     %.2f M events/s (%.2f x libbpf)%n",
        events / bestRaw * 1e3, (double) bestC / bestRaw);
    System.out.printf("dynlog decoded rows (join, decode, Row):  %.2f M rows/s (%.2f x libbpf)%n",
        rows / (double) bestRows * 1e3, (double) bestC / bestRows);
  }
}
