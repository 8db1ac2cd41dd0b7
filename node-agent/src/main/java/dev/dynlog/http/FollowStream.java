package dev.dynlog.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.dynlog.cli.RowJson;
import dev.dynlog.query.Query;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.Subscription;
import dev.dynlog.trace.Row;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A live follow: the buffered rows matching the query (the newest {@code limit} of them, oldest
 * first), then every new matching row as it arrives, until the tracepoint stops, {@code until} is
 * reached or the client goes away.
 *
 * <p>JSONL: one row per line; a line {@code {"dropped":N}} reports N rows this follower missed
 * because it read too slowly; an empty line is a keep-alive. SSE: each row is a {@code data:} event,
 * missed rows an {@code event: dropped}, the end an {@code event: end}, keep-alives are comments.
 */
final class FollowStream {

  /** Rows a follower may have queued before it starts missing rows (memory beyond the buffer bound). */
  static final int QUEUE_CAPACITY = 10_000;

  private static final JsonFactory JSON = new JsonFactory();
  private static final int BATCH = 1024;

  private final boolean sse;
  private final long keepAliveNanos;

  FollowStream(boolean sse, long keepAliveNanos) {
    this.sse = sse;
    this.keepAliveNanos = keepAliveNanos;
  }

  /**
   * Streams {@code sub} (subscribed with {@code query} as its filter) until the end; returns
   * normally when the client disconnects. Closes the subscription.
   */
  void run(StoredTracepoint tp, Query query, Subscription sub, OutputStream out) throws InterruptedException {
    try (sub) {
      List<Row> history = sub.history();
      int from = Math.max(0, history.size() - query.limit());
      ByteArrayOutputStream chunk = new ByteArrayOutputStream(64 * 1024);
      for (int i = from; i < history.size(); i++) {
        writeRow(chunk, history.get(i));
        if (chunk.size() > 60_000) flush(chunk, out);
      }
      flush(chunk, out);
      long lastWrite = System.nanoTime();
      while (true) {
        Row row = sub.next(200, TimeUnit.MILLISECONDS);
        int n = 0;
        while (row != null) {
          writeRow(chunk, row);
          if (++n >= BATCH) break;
          row = sub.next(0, TimeUnit.MILLISECONDS);
        }
        long lagged = sub.takeLagged();
        if (lagged > 0) writeDropped(chunk, lagged);
        if (chunk.size() > 0) {
          flush(chunk, out);
          lastWrite = System.nanoTime();
        } else if (System.nanoTime() - lastWrite > keepAliveNanos) {
          chunk.writeBytes(sse ? ": keep-alive\n\n".getBytes() : "\n".getBytes());
          flush(chunk, out);
          lastWrite = System.nanoTime();
        }
        if (sub.isFinished() || System.currentTimeMillis() * 1_000_000L >= query.untilNanos()) {
          long more = sub.takeLagged();
          if (more > 0) writeDropped(chunk, more);
          if (sse) chunk.writeBytes(("event: end\ndata: {\"state\":\"" + tp.state().jsonName() + "\"}\n\n").getBytes());
          flush(chunk, out);
          return;
        }
      }
    } catch (IOException e) {
      // The client went away.
    }
  }

  private void writeRow(ByteArrayOutputStream chunk, Row row) throws IOException {
    if (sse) chunk.writeBytes("data: ".getBytes());
    try (JsonGenerator g = JSON.createGenerator(chunk)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      RowJson.write(g, row);
    }
    chunk.writeBytes(sse ? "\n\n".getBytes() : "\n".getBytes());
  }

  private void writeDropped(ByteArrayOutputStream chunk, long n) {
    String json = "{\"dropped\":" + n + "}";
    chunk.writeBytes((sse ? "event: dropped\ndata: " + json + "\n\n" : json + "\n").getBytes());
  }

  private static void flush(ByteArrayOutputStream chunk, OutputStream out) throws IOException {
    if (chunk.size() == 0) return;
    chunk.writeTo(out);
    out.flush();
    chunk.reset();
  }
}
