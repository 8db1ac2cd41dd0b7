package dev.dynlog.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.dynlog.store.LabelSpec;
import dev.dynlog.store.Placement;
import dev.dynlog.store.PodCounters;
import dev.dynlog.store.RowBuffer;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.trace.ProbeCounters;
import dev.dynlog.trace.RowJson;
import java.io.IOException;
import java.time.Instant;

/**
 * The JSON description of a tracepoint in the query API: what it is, its state and its counts; for
 * a node agent's tracepoint also its namespace, node and per-pod counts.
 */
final class TracepointJson {

  private TracepointJson() {}

  static void write(JsonGenerator g, StoredTracepoint tp) throws IOException {
    TracepointInfo info = tp.info();
    ProbeCounters c = tp.counters();
    RowBuffer buffer = tp.buffer();
    g.writeStartObject();
    g.writeStringField("name", info.name());
    Placement placement = tp.placement();
    if (placement != null) {
      g.writeStringField("namespace", placement.namespace());
      g.writeStringField("tracepoint", placement.tracepoint());
      g.writeStringField("node", placement.node());
    }
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
    if (placement != null) {
      g.writeArrayFieldStart("pods");
      for (PodCounters p : tp.podCounters()) {
        g.writeStartObject();
        g.writeStringField("pod", p.pod());
        g.writeNumberField("calls", p.counters().calls());
        g.writeNumberField("errors", p.counters().errors());
        g.writeNumberField("attached_probes", p.counters().attachedProbes());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeObjectFieldStart("buffer");
    g.writeNumberField("rows", buffer.size());
    g.writeNumberField("bytes", buffer.memoryBytes());
    g.writeNumberField("max_rows", buffer.maxRows());
    g.writeNumberField("max_bytes", buffer.maxBytes());
    g.writeEndObject();
    g.writeEndObject();
  }

  /**
   * The name fields of an events answer: {@code tracepoint} (without the namespace), {@code
   * namespace} and {@code node} for a node agent's tracepoint, else {@code tracepoint} only.
   */
  static void writeName(JsonGenerator g, StoredTracepoint tp) throws IOException {
    Placement placement = tp.placement();
    if (placement == null) {
      g.writeStringField("tracepoint", tp.name());
      return;
    }
    g.writeStringField("tracepoint", placement.tracepoint());
    g.writeStringField("namespace", placement.namespace());
    g.writeStringField("node", placement.node());
  }

  private static String time(Instant t) {
    return RowJson.formatTimestamp(t.getEpochSecond() * 1_000_000_000L + t.getNano());
  }
}
