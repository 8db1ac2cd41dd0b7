package dev.dynlog.trace;

import dev.dynlog.bpf.Layout;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.plan.ValuePlan;
import dev.dynlog.recipe.RecipeLimits;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Turns one tracepoint's ring buffer events into {@link Row}s. An entry event carries the entry
 * captures; when the probe is paired its return event (same sequence number) carries the results
 * and the latency, and the row is complete. Called from the ring consumer thread only.
 */
final class CallAssembler {

  /** An entry waiting for its return; recycled once its row is delivered. */
  private static final class Pending {
    long ts;
    int pid;
    int tid;
    long goid;
    Object[] values;
  }

  /** A value that could not be read, held in its slot until the row is delivered. */
  private static final class Failed {
    final String message;

    Failed(String message) {
      this.message = message;
    }
  }

  private final String tracepoint;
  private final String function;
  private final Row.Source source;
  private final boolean latency;
  private final String[] names;
  private final String[] redactionNotes; // per value: why parts of it are not read, or null
  private final boolean anyRedacted;
  private final ValueDecoder.Node[]
      entryNodes; // decoders of the values read at entry, in recipe order
  private final int[] entryValues; // their value indexes
  private final int[] entryBase; // first read of each of them in the entry recipe
  private final ValueDecoder.Node[] returnNodes;
  private final int[] returnValues;
  private final int[] returnBase;
  private final long wallOffsetNs;
  private final long pendingTimeoutNs;
  private final Consumer<Row> sink;
  private final ValueDecoder decoder;
  private final PendingCalls<Pending> pending = new PendingCalls<>();
  private final Pending[] free = new Pending[64];
  private int nfree;
  private final int[] recs = new int[RecipeLimits.MAX_READS];
  // Written by the reader thread only (lazySet: no fence on the hot path), read by any thread.
  final AtomicLong decodeFailed = new AtomicLong();
  final AtomicLong rows = new AtomicLong();

  /** Calls whose return ran on another thread than their entry (goroutine migration). */
  final AtomicLong migrated = new AtomicLong();

  CallAssembler(
      String tracepoint, ProbePlan plan, TraceOptions opts, long wallOffsetNs, Consumer<Row> sink) {
    this.tracepoint = tracepoint;
    this.function = plan.function();
    this.source = opts.source();
    this.latency = opts.latency();
    List<ValuePlan> values = plan.values();
    this.names = values.stream().map(ValuePlan::name).toArray(String[]::new);
    this.redactionNotes = values.stream().map(ValuePlan::redactionNote).toArray(String[]::new);
    this.anyRedacted = values.stream().anyMatch(v -> !v.redacted().isEmpty());
    this.wallOffsetNs = wallOffsetNs;
    this.pendingTimeoutNs = opts.pairingTimeout().toNanos() + 10_000_000_000L;
    this.sink = sink;
    this.decoder = new ValueDecoder(opts.symbolizer());
    List<Integer> ev = new ArrayList<>(),
        eb = new ArrayList<>(),
        rv = new ArrayList<>(),
        rb = new ArrayList<>();
    int entryReads = 0, returnReads = 0;
    for (int i = 0; i < values.size(); i++) {
      ValuePlan v = values.get(i);
      if (v.atReturn()) {
        rv.add(i);
        rb.add(returnReads);
        returnReads += v.reads().size();
      } else {
        ev.add(i);
        eb.add(entryReads);
        entryReads += v.reads().size();
      }
    }
    entryValues = ev.stream().mapToInt(Integer::intValue).toArray();
    entryBase = eb.stream().mapToInt(Integer::intValue).toArray();
    returnValues = rv.stream().mapToInt(Integer::intValue).toArray();
    returnBase = rb.stream().mapToInt(Integer::intValue).toArray();
    entryNodes =
        ev.stream()
            .map(i -> ValueDecoder.compile(values.get(i).decoder()))
            .toArray(ValueDecoder.Node[]::new);
    returnNodes =
        rv.stream()
            .map(i -> ValueDecoder.compile(values.get(i).decoder()))
            .toArray(ValueDecoder.Node[]::new);
  }

  private static void increment(AtomicLong counter) {
    counter.lazySet(counter.get() + 1); // single writer
  }

  /** Handles one event of this tracepoint's probe. */
  void onEvent(ByteBuffer buf, int off, int len) {
    int nrecs = parseRecords(buf, off, len);
    if (nrecs < 0) {
      increment(decodeFailed);
      return;
    }
    int type = buf.getInt(off + Layout.EV_TYPE);
    long seq = buf.getLong(off + Layout.EV_SEQ);
    if (type == Layout.EV_ENTRY) {
      Object[] vals = new Object[names.length];
      decodeAll(entryNodes, entryValues, entryBase, buf, nrecs, vals);
      long ts = buf.getLong(off + Layout.EV_TS);
      int pid = buf.getInt(off + Layout.EV_PID);
      int tid = buf.getInt(off + Layout.EV_TID);
      long goid = buf.getLong(off + Layout.EV_GOID);
      if ((buf.getInt(off + Layout.EV_FLAGS) & Layout.EVF_COMPLETE) != 0) {
        deliver(ts, pid, tid, goid, -1, vals);
      } else {
        Pending p = nfree > 0 ? free[--nfree] : new Pending();
        p.ts = ts; // the kernel's CLOCK_MONOTONIC, as nanoTime: also the entry's age for expiry
        p.pid = pid;
        p.tid = tid;
        p.goid = goid;
        p.values = vals;
        pending.put(seq, p);
      }
    } else if (type == Layout.EV_RETURN) {
      Pending p = pending.remove(seq);
      if (p == null) {
        increment(decodeFailed); // its entry event never arrived
        return;
      }
      if (buf.getInt(off + Layout.EV_TID) != p.tid) increment(migrated);
      Object[] vals = p.values;
      decodeAll(returnNodes, returnValues, returnBase, buf, nrecs, vals);
      long lat = latency ? buf.getLong(off + Layout.EV_LATENCY) : -1;
      long ts = p.ts, goid = p.goid;
      int pid = p.pid, tid = p.tid;
      p.values = null;
      if (nfree < free.length) free[nfree++] = p;
      deliver(ts, pid, tid, goid, lat, vals);
    } else {
      increment(decodeFailed);
    }
  }

  /**
   * Forgets entries whose return will never come: the kernel evicted their pairing (counted there)
   * or the return event was lost to a full ring (counted there too).
   */
  void expire(long nowNanos) {
    pending.removeIf(p -> nowNanos - p.ts > pendingTimeoutNs);
  }

  private int parseRecords(ByteBuffer buf, int off, int len) {
    if (len < Layout.EV_HEADER) return -1;
    int n = buf.getInt(off + Layout.EV_NREADS);
    if (n < 0 || n > RecipeLimits.MAX_READS) return -1;
    int pos = off + Layout.EV_HEADER;
    int end = off + len;
    for (int i = 0; i < n; i++) {
      if (pos + Layout.REC_HEADER > end) return -1;
      recs[i] = pos;
      int dl = buf.getInt(pos + Layout.REC_LEN);
      if (dl < 0 || dl > RecipeLimits.MAX_VALUE_BYTES) return -1;
      pos += Layout.REC_HEADER + ((dl + 7) & ~7);
    }
    return pos <= end ? n : -1;
  }

  private void decodeAll(
      ValueDecoder.Node[] nodes,
      int[] which,
      int[] bases,
      ByteBuffer buf,
      int nrecs,
      Object[] vals) {
    decoder.event(buf, recs, nrecs);
    for (int k = 0; k < nodes.length; k++) {
      try {
        vals[which[k]] = decoder.decode(nodes[k], bases[k]);
      } catch (ValueDecoder.Failure f) {
        vals[which[k]] = new Failed(f.getMessage());
      }
    }
  }

  private void deliver(long ts, int pid, int tid, long goid, long lat, Object[] vals) {
    Map<String, String> errors = null;
    for (int i = 0; i < vals.length; i++) {
      if (vals[i] instanceof Failed f) {
        if (errors == null) errors = new LinkedHashMap<>();
        errors.put(names[i], f.message);
        vals[i] = null;
      }
    }
    if (anyRedacted) {
      for (int i = 0; i < vals.length; i++) {
        String note = redactionNotes[i];
        if (note == null) continue;
        if (errors == null) errors = new LinkedHashMap<>();
        errors.merge(names[i], note, (a, b) -> a + "; " + b);
      }
    }
    Row row =
        new Row(
            tracepoint,
            ts + wallOffsetNs,
            pid,
            tid,
            goid,
            function,
            lat,
            new CaptureMap(names, vals),
            errors == null ? Map.of() : Collections.unmodifiableMap(errors),
            source);
    increment(rows);
    try {
      sink.accept(row);
    } catch (RuntimeException e) {
      increment(decodeFailed);
    }
  }
}
