package dev.dynlog.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.dynlog.store.LabelSpec;
import dev.dynlog.store.RowBuffer;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.trace.ProbeCounters;
import dev.dynlog.trace.RowJson;
import java.io.IOException;
import java.time.Instant;

/** The JSON description of a tracepoint in the query API: what it is, its state and its counts. */
final class TracepointJson {

  private TracepointJson() {}

  static void write(JsonGenerator g, StoredTracepoint tp) throws IOException {
    TracepointInfo info = tp.info();
    ProbeCounters c = tp.counters();
    RowBuffer buffer = tp.buffer();
    g.writeStartObject();
    g.writeStringField("name", info.name());
    g.writeStringField("function", info.function());
    g.writeStringField("target", info.target());
    g.writeStringField("state", tp.state().jsonName());
    g.writeStringField("started", time(tp.startedAt()));
    if (tp.stoppedAt() != null) {
      g.writeStringField("stopped", time(tp.stoppedAt()));
      g.writeStringField("stop_reason", tp.stopReason());
    }
    g.writeArrayFieldStart("captures");
    for (String capture : info.captures()) g.writeString(capture);
    g.writeEndArray();
    g.writeBooleanField("latency", info.latency());
    g.writeArrayFieldStart("labels");
    for (LabelSpec label : info.labels()) {
      g.writeStartObject();
      g.writeStringField("capture", label.capture());
      g.writeNumberField("max_values", label.maxValues());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeNumberField("attached_probes", c.attachedProbes());
    g.writeObjectFieldStart("counts");
    g.writeNumberField("calls", c.calls());
    g.writeNumberField("returns", c.returns());
    g.writeNumberField("errors", c.errors());
    g.writeNumberField("rows_received", buffer.appended());
    g.writeNumberField("rows_buffered", buffer.size());
    g.writeObjectFieldStart("dropped");
    g.writeNumberField("ring_full", c.droppedRingFull());
    g.writeNumberField("rate_limited", c.droppedRateLimited());
    g.writeNumberField("pairing_evicted", c.droppedPairingEvicted());
    g.writeNumberField("decode_failed", c.droppedDecodeFailed());
    g.writeNumberField("buffer_evicted", buffer.evicted());
    g.writeEndObject();
    g.writeEndObject();
    g.writeObjectFieldStart("buffer");
    g.writeNumberField("rows", buffer.size());
    g.writeNumberField("bytes", buffer.memoryBytes());
    g.writeNumberField("max_rows", buffer.maxRows());
    g.writeNumberField("max_bytes", buffer.maxBytes());
    g.writeEndObject();
    g.writeEndObject();
  }

  private static String time(Instant t) {
    return RowJson.formatTimestamp(t.getEpochSecond() * 1_000_000_000L + t.getNano());
  }
}
