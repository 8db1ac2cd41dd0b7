package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dynlog.bpf.RingBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest: how fast the tracer turns ring buffer events into rows on one core, against libbpf's own
 * C consumer ({@code ring_buffer__poll} with an empty callback) on the same event stream (a Go
 * target's F(a, s) (int, error) calls with latency: an entry and a return event per row, produced
 * identically for each consumer while nobody reads, then consumed in one timed go on the calling
 * thread). Also times the mmapped reader with an empty handler, and with a handler that loads one
 * word of every cache line each event spans and does nothing else: the cost of merely bringing in
 * the bytes that decoding must read, a floor for any consumer of the captured values. Prints figures.
 *
 * <p>{@code mvn -Ddynlog.out=target-bpf -pl node-agent -am -Pbenchmark test -Dtest=IngestBenchmarkTest}
 */
@Tag("benchmark")
class IngestBenchmarkTest {
  static final int PER_GOROUTINE = 20; // x 1000 goroutines = 20,000 rows, 40,000 events (~6 MB)
  /** Untimed rounds first, so that the JIT has compiled the Java consumers: the agent's steady state. */
  static final int WARMUP = Integer.getInteger("dynlog.ingest.warmup", 8);
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
    long consume(Tracer tracer, long events, long rows, long[] delivered) throws Exception;
  }

  /** Fills the ring of a paused tracer with the stream, then times {@code consumer}. */
  static long round(Path bin, Consumer consumer) throws Exception {
    try (Tracer tracer = Tracer.open(false)) {
      long[] delivered = new long[1]; // the sink runs on the consuming (calling) thread
      long rows = 1000L * PER_GOROUTINE;
      Tracepoint tp;
      try (TargetRun t = TargetRun.start(bin, "calls", String.valueOf(PER_GOROUTINE))) {
        tp = tracer.attach(GoTraceTest.planFor(bin), Target.process(t.pid()),
            TraceOptions.defaults().withLatency(true).withSymbolizer(GoTarget.symbolizer(bin)), r -> delivered[0]++);
        t.go();
        t.awaitExit();
      }
      ProbeCounters c = tp.counters();
      assertEquals(rows, c.calls());
      assertEquals(0, c.droppedRingFull(), "the stream must fit the ring");
      long ns = consumer.consume(tracer, c.calls() + c.returns(), rows, delivered);
      tp.close();
      return ns;
    }
  }

  /** Polls {@code tracer}'s ring with {@code handler} until it has seen {@code events} records. */
  static long timeRaw(Tracer tracer, long events, RingBuffer.RecordHandler handler, long[] seen) {
    long t0 = System.nanoTime();
    while (seen[0] < events) tracer.ring().poll(handler, 100);
    long ns = System.nanoTime() - t0;
    assertEquals(events, seen[0]);
    return ns;
  }

  @Test
  void decodedRowsPerSecondAgainstLibbpfConsumer() throws Exception {
    Path bin = GoTarget.build();
    Path cConsumer = dir.resolve("consume");
    Files.writeString(dir.resolve("consume.c"), C_CONSUMER);
    Toolchain.run(dir, "gcc", "-O2", "-o", cConsumer.toString(), dir.resolve("consume.c").toString(), "-lbpf");
    long rows = 1000L * PER_GOROUTINE;
    long[] best = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
    long[] checksum = new long[1];
    for (int i = 0; i < WARMUP + ROUNDS; i++) {
      long[] ns = new long[4];
      ns[0] = round(bin, (tracer, events, r, delivered) -> {
        String[] out = Toolchain.run(null, cConsumer.toString(), String.valueOf(tracer.object().map("events").id()),
            String.valueOf(events)).trim().split(" ");
        assertEquals(events, Long.parseLong(out[0]));
        return Long.parseLong(out[1]);
      });
      ns[1] = round(bin, (tracer, events, r, delivered) -> {
        long[] seen = new long[1];
        return timeRaw(tracer, events, (buf, off, len) -> seen[0]++, seen);
      });
      ns[2] = round(bin, (tracer, events, r, delivered) -> {
        long[] seen = new long[1];
        return timeRaw(tracer, events, (buf, off, len) -> {
          seen[0]++;
          long sum = buf.getLong(off + len - 8); // the last line, then every 64 bytes from the start
          for (int k = 0; k < len - 8; k += 64) sum += buf.getLong(off + k);
          checksum[0] += sum;
        }, seen);
      });
      ns[3] = round(bin, (tracer, events, r, delivered) -> {
        long t0 = System.nanoTime();
        while (delivered[0] < r) tracer.poll(100);
        long elapsed = System.nanoTime() - t0;
        assertEquals(r, delivered[0]);
        return elapsed;
      });
      boolean timed = i >= WARMUP;
      System.out.printf("round %d%s: libbpf %.2f ms, reader %.2f ms, reader touching every line %.2f ms, decoded rows %.2f ms%n",
          i, timed ? "" : " (warm-up)", ns[0] / 1e6, ns[1] / 1e6, ns[2] / 1e6, ns[3] / 1e6);
      if (timed) for (int k = 0; k < 4; k++) best[k] = Math.min(best[k], ns[k]);
    }
    double events = 2.0 * rows;
    System.out.printf("stream: %d rows, %.0f events; best of %d rounds after %d warm-up rounds (checksum %x)%n", rows, events,
        ROUNDS, WARMUP, checksum[0]);
    System.out.printf("libbpf ring_buffer__poll, empty callback:    %6.2f M events/s (%.2f M rows/s)%n",
        events / best[0] * 1e3, rows / (double) best[0] * 1e3);
    System.out.printf("dynlog mmapped reader, empty handler:        %6.2f M events/s (%.2f x libbpf)%n",
        events / best[1] * 1e3, (double) best[0] / best[1]);
    System.out.printf("dynlog reader, handler touches every line:   %6.2f M events/s (%.2f x libbpf: the floor for any consumer of the values)%n",
        events / best[2] * 1e3, (double) best[0] / best[2]);
    System.out.printf("dynlog decoded rows (join, decode, Row):     %6.2f M rows/s   (%.2f x libbpf)%n",
        rows / (double) best[3] * 1e3, (double) best[0] / best[3]);
  }
}
