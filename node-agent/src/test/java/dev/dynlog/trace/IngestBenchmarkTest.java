package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dynlog.bpf.RingBuffer;
import dev.dynlog.store.RowBuffer;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.testing.Oracles;
import dev.dynlog.testing.TargetProcess;
import dev.dynlog.testing.Targets;
import dev.dynlog.testing.Tools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Ingest: how fast the tracer turns ring buffer events into rows on one core, against libbpf's own
 * C consumer ({@code ring_buffer__poll} with an empty callback) on the same event stream (a Go
 * target's F(a, s) (int, error) calls with latency: an entry and a return event per row, produced
 * identically for each consumer while nobody reads, then consumed in one timed go on the calling
 * thread). For scale it also times, on the same stream: libbpf with a callback that only copies
 * each event out, and with a minimal decoder written in C (see {@link #C_CONSUMER}); dynlog's
 * mmapped reader with an empty handler; that reader with a handler that loads one word of every
 * cache line each event spans and does nothing else, the cost of merely bringing in the bytes that
 * decoding must read; and the decoded rows appended to a row buffer, as the agent stores them.
 * Prints figures.
 *
 * <p>{@code mvn -Ddynlog.out=target-bpf -pl node-agent -am -Pbenchmark test
 * -Dtest=IngestBenchmarkTest}
 */
@Tag("benchmark")
class IngestBenchmarkTest {
  static final int PER_GOROUTINE = 20; // x 1000 goroutines = 20,000 rows, 40,000 events (~6 MB)

  /**
   * Untimed rounds first, so that the JIT has compiled the Java consumers: the agent's steady
   * state.
   */
  static final int WARMUP = Integer.getInteger("dynlog.ingest.warmup", 8);

  static final int ROUNDS = 5;

  /** The consumers timed in each round. */
  static final int LIBBPF = 0,
      C_DECODE = 1,
      READER = 2,
      TOUCH = 3,
      DECODED = 4,
      C_COPY = 5,
      STORED = 6;

  static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

  /**
   * libbpf's consumer: {@code consume MAP_ID EVENTS} with an empty callback (the baseline); {@code
   * consume MAP_ID EVENTS copy}, a callback that only copies each event into an arena (what storing
   * raw events to decode them later would cost at least); or {@code consume MAP_ID EVENTS decode},
   * a callback that does in C the least a decoder of this stream must do: walk the records, join
   * each entry with its return by sequence number (an open-addressing table), and keep each call as
   * a row with its string copied, both bump-allocated from a pre-faulted arena (no malloc), with
   * the cache lines ahead prefetched. It skips what the Java rows also carry (truncation markers,
   * error type names, a value per capture), so it bounds from below what any decoder of this stream
   * costs on this machine.
   */
  static final String C_CONSUMER =
      """
      #include <stdint.h>
      #include <stdio.h>
      #include <stdlib.h>
      #include <string.h>
      #include <time.h>
      #include <bpf/bpf.h>
      #include <bpf/libbpf.h>
      struct hdr { uint32_t type, probe; uint64_t seq, ts; uint32_t pid, tid; int64_t goid; uint64_t latency; uint32_t nreads, flags; };
      struct rec { int32_t err; uint16_t stage, flags; uint32_t len, full_len; uint64_t addr; };
      struct row { uint64_t ts, latency; uint32_t pid, tid; int64_t goid, a, ret; uint64_t err_type; char *s; };
      enum { TABLE = 1 << 14 };
      static long seen, bad, nrows;
      static uint64_t keys[TABLE];
      static struct row *vals[TABLE];
      static struct row **rows;
      static const struct rec *recs[16];
      static char *arena; /* rows and their strings, bump-allocated: no malloc on the hot path */
      static void *bump(size_t n) { void *p = arena; arena += (n + 7) & ~(size_t)7; return p; }
      static int on_event(void *ctx, void *data, size_t len) { seen++; return 0; }
      static unsigned slot(uint64_t k) { return (unsigned)((k * 0x9E3779B97F4A7C15ull) >> 40) & (TABLE - 1); }
      static void put(uint64_t k, struct row *r) {
        unsigned i = slot(k);
        while (vals[i]) i = (i + 1) & (TABLE - 1);
        keys[i] = k; vals[i] = r;
      }
      static struct row *take(uint64_t k) {
        for (unsigned i = slot(k); vals[i]; i = (i + 1) & (TABLE - 1)) {
          if (keys[i] != k) continue;
          struct row *r = vals[i];
          vals[i] = NULL; /* backward-shift deletion keeps the probe chains whole */
          for (unsigned hole = i, j = (i + 1) & (TABLE - 1); vals[j]; j = (j + 1) & (TABLE - 1)) {
            unsigned home = slot(keys[j]);
            if (((j - home) & (TABLE - 1)) >= ((j - hole) & (TABLE - 1))) {
              keys[hole] = keys[j]; vals[hole] = vals[j]; vals[j] = NULL; hole = j;
            }
          }
          return r;
        }
        return NULL;
      }
      static int64_t word(int n, int i) { return i < n && !recs[i]->err && recs[i]->len >= 8 ? *(const int64_t *)(recs[i] + 1) : 0; }
      static int on_decode(void *ctx, void *data, size_t len) {
        seen++;
        /* the lines about 1 KiB ahead, as dynlog's reader loads them (prefetch never faults) */
        __builtin_prefetch((char *)data + 1024);
        __builtin_prefetch((char *)data + 1088);
        const struct hdr *h = data;
        const char *p = (const char *)(h + 1), *end = (const char *)data + len;
        if (len < sizeof *h || h->nreads > 16) { bad++; return 0; }
        int n = h->nreads;
        for (int i = 0; i < n; i++) {
          if (p + sizeof(struct rec) > end) { bad++; return 0; }
          recs[i] = (const struct rec *)p;
          p += sizeof(struct rec) + ((recs[i]->len + 7) & ~7u);
        }
        if (p > end) { bad++; return 0; }
        if (h->type == 1) {
          struct row *r = bump(sizeof *r);
          r->ts = h->ts; r->pid = h->pid; r->tid = h->tid; r->goid = h->goid;
          r->a = word(n, 0);
          r->s = NULL;
          if (n > 1 && !recs[1]->err) {
            r->s = bump(recs[1]->len + 1);
            memcpy(r->s, recs[1] + 1, recs[1]->len);
            r->s[recs[1]->len] = 0;
          }
          put(h->seq, r);
        } else {
          struct row *r = take(h->seq);
          if (!r) { bad++; return 0; }
          r->latency = h->latency; r->ret = word(n, 0); r->err_type = word(n, 1);
          rows[nrows++] = r;
        }
        return 0;
      }
      static int on_copy(void *ctx, void *data, size_t len) {
        seen++;
        __builtin_prefetch((char *)data + 1024);
        __builtin_prefetch((char *)data + 1088);
        memcpy(bump(len), data, len);
        return 0;
      }
      int main(int argc, char **argv) {
        long want = atol(argv[2]);
        int decode = argc > 3 && !strcmp(argv[3], "decode"), copy = argc > 3 && !strcmp(argv[3], "copy");
        rows = calloc(want, sizeof *rows);
        arena = malloc(want * (sizeof(struct row) + 16 * (512 + 8)));
        memset(arena, 0, want * (sizeof(struct row) + 16 * (512 + 8))); /* faulted in before timing */
        int fd = bpf_map_get_fd_by_id(atoi(argv[1]));
        if (fd < 0) { perror("bpf_map_get_fd_by_id"); return 1; }
        struct ring_buffer *rb = ring_buffer__new(fd, decode ? on_decode : copy ? on_copy : on_event, NULL, NULL);
        if (!rb) { perror("ring_buffer__new"); return 1; }
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        while (seen < want) ring_buffer__poll(rb, 100);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("%ld %lld %ld %ld\\n", seen, (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec), nrows, bad);
        return 0;
      }
      """;

  interface Consumer {
    /**
     * Consumes {@code events} events ({@code rows} rows) of a paused tracer; returns elapsed ns.
     */
    long consume(Tracer tracer, long events, long rows, long[] delivered) throws Exception;
  }

  /** Fills the ring of a paused tracer with the stream, then times {@code consumer}. */
  static long round(Path bin, Consumer consumer) throws Exception {
    return round(bin, consumer, null);
  }

  /** As {@link #round(Path, Consumer)}, the rows also appended to {@code store} when given. */
  static long round(Path bin, Consumer consumer, RowBuffer store) throws Exception {
    try (Tracer tracer = Tracer.open(false)) {
      long[] delivered = new long[1]; // the sink runs on the consuming (calling) thread
      long rows = 1000L * PER_GOROUTINE;
      Probe tp;
      try (TargetProcess t =
          TargetProcess.startPlain(bin, "calls", String.valueOf(PER_GOROUTINE))) {
        tp =
            tracer.attach(
                GoTraceTest.planFor(bin),
                Target.process((int) t.pid()),
                TraceOptions.defaults()
                    .withLatency(true)
                    .withSymbolizer(Oracles.symbolsByAddress(bin)::get),
                r -> {
                  if (store != null) store.append(r);
                  delivered[0]++;
                });
        t.release();
        t.finishLines(RUN_TIMEOUT);
      }
      ProbeCounters c = tp.counters();
      assertEquals(rows, c.calls());
      assertEquals(0, c.droppedRingFull(), "the stream must fit the ring");
      long ns = consumer.consume(tracer, c.calls() + c.returns(), rows, delivered);
      tp.close();
      return ns;
    }
  }

  /** Runs the C consumer on {@code tracer}'s ring; returns the nanoseconds it measured. */
  static long libbpf(Path consumer, Tracer tracer, long events, long rows, String mode)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                consumer.toString(),
                String.valueOf(tracer.object().map("events").id()),
                String.valueOf(events)));
    if (mode != null) cmd.add(mode);
    String[] out = Tools.run(cmd.toArray(String[]::new)).trim().split(" ");
    assertEquals(events, Long.parseLong(out[0]), "events seen");
    if ("decode".equals(mode)) {
      assertEquals(rows, Long.parseLong(out[2]), "rows joined by the C decoder");
      assertEquals(0, Long.parseLong(out[3]), "malformed or unpaired events");
    }
    return Long.parseLong(out[1]);
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
    Path bin = Targets.buildTraceTarget();
    Path cConsumer = Targets.buildC("consume", C_CONSUMER, "-O2", "-lbpf");
    long rows = 1000L * PER_GOROUTINE;
    long[] best = new long[7];
    Arrays.fill(best, Long.MAX_VALUE);
    long[] checksum = new long[1];
    for (int i = 0; i < WARMUP + ROUNDS; i++) {
      long[] ns = new long[7];
      ns[LIBBPF] =
          round(bin, (tracer, events, r, delivered) -> libbpf(cConsumer, tracer, events, r, null));
      ns[C_COPY] =
          round(
              bin, (tracer, events, r, delivered) -> libbpf(cConsumer, tracer, events, r, "copy"));
      ns[C_DECODE] =
          round(
              bin,
              (tracer, events, r, delivered) -> libbpf(cConsumer, tracer, events, r, "decode"));
      ns[READER] =
          round(
              bin,
              (tracer, events, r, delivered) -> {
                long[] seen = new long[1];
                return timeRaw(tracer, events, (buf, off, len) -> seen[0]++, seen);
              });
      ns[TOUCH] =
          round(
              bin,
              (tracer, events, r, delivered) -> {
                long[] seen = new long[1];
                return timeRaw(
                    tracer,
                    events,
                    (buf, off, len) -> {
                      seen[0]++;
                      long sum =
                          buf.getLong(
                              off + len - 8); // the last line, then every 64 bytes from the start
                      for (int k = 0; k < len - 8; k += 64) sum += buf.getLong(off + k);
                      checksum[0] += sum;
                    },
                    seen);
              });
      Consumer decode =
          (tracer, events, r, delivered) -> {
            long t0 = System.nanoTime();
            while (delivered[0] < r) tracer.poll(100);
            long elapsed = System.nanoTime() - t0;
            assertEquals(r, delivered[0]);
            return elapsed;
          };
      ns[DECODED] = round(bin, decode);
      RowBuffer store =
          new RowBuffer(StoreConfig.DEFAULT.maxRows(), StoreConfig.DEFAULT.maxBytes());
      ns[STORED] = round(bin, decode, store);
      assertEquals(rows, store.appended());
      boolean timed = i >= WARMUP;
      System.out.printf(
          "round %d%s: libbpf %.2f ms, libbpf + C copy %.2f ms, libbpf + C decode %.2f ms, reader %.2f ms,"
              + " reader touching every line %.2f ms, decoded rows %.2f ms, decoded and stored %.2f ms%n",
          i,
          timed ? "" : " (warm-up)",
          ns[LIBBPF] / 1e6,
          ns[C_COPY] / 1e6,
          ns[C_DECODE] / 1e6,
          ns[READER] / 1e6,
          ns[TOUCH] / 1e6,
          ns[DECODED] / 1e6,
          ns[STORED] / 1e6);
      if (timed) for (int k = 0; k < best.length; k++) best[k] = Math.min(best[k], ns[k]);
    }
    double events = 2.0 * rows;
    System.out.printf(
        "stream: %d rows, %.0f events; best of %d rounds after %d warm-up rounds (checksum %x)%n",
        rows, events, ROUNDS, WARMUP, checksum[0]);
    System.out.printf(
        "libbpf ring_buffer__poll, empty callback:    %6.2f M events/s (%.2f M rows/s)%n",
        events / best[LIBBPF] * 1e3, rows / (double) best[LIBBPF] * 1e3);
    System.out.printf(
        "libbpf + C copy of each event to an arena: %6.2f M rows/s   (%.2f x libbpf)%n",
        rows / (double) best[C_COPY] * 1e3, (double) best[LIBBPF] / best[C_COPY]);
    System.out.printf(
        "libbpf + minimal C decode (join, copy):     %6.2f M rows/s   (%.2f x libbpf)%n",
        rows / (double) best[C_DECODE] * 1e3, (double) best[LIBBPF] / best[C_DECODE]);
    System.out.printf(
        "dynlog mmapped reader, empty handler:        %6.2f M events/s (%.2f x libbpf)%n",
        events / best[READER] * 1e3, (double) best[LIBBPF] / best[READER]);
    System.out.printf(
        "dynlog reader, handler touches every line:   %6.2f M events/s (%.2f x libbpf)%n",
        events / best[TOUCH] * 1e3, (double) best[LIBBPF] / best[TOUCH]);
    System.out.printf(
        "dynlog decoded rows (join, decode, Row):     %6.2f M rows/s   (%.2f x libbpf)%n",
        rows / (double) best[DECODED] * 1e3, (double) best[LIBBPF] / best[DECODED]);
    System.out.printf(
        "dynlog rows decoded and stored in a buffer: %6.2f M rows/s   (%.2f x libbpf)%n",
        rows / (double) best[STORED] * 1e3, (double) best[LIBBPF] / best[STORED]);
  }
}
