package dev.dynlog.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.dynlog.query.Query;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.Subscription;
import dev.dynlog.trace.Row;
import dev.dynlog.trace.RowJson;
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
 * because it read too slowly; an empty line is a keep-alive. SSE: each row is a {@code data:}
 * event, missed rows an {@code event: dropped}, the end an {@code event: end}, keep-alives are
 * comments.
 */
final class FollowStream {

  /**
   * Rows a follower may have queued before it starts missing rows (memory beyond the buffer bound).
   */
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
  void run(StoredTracepoint tp, Query query, Subscription sub, OutputStream out)
      throws InterruptedException {
    ByteArrayOutputStream chunk = new ByteArrayOutputStream(64 * 1024);
    try (sub;
        JsonGenerator g = JSON.createGenerator(chunk)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.setRootValueSeparator(null);
      List<Row> history = sub.history();
      for (int i = Math.max(0, history.size() - query.limit()); i < history.size(); i++) {
        writeRow(g, history.get(i));
        if (chunk.size() > 60_000) flush(g, chunk, out);
      }
      flush(g, chunk, out);
      long lastWrite = System.nanoTime();
      while (true) {
        Row row = sub.next(200, TimeUnit.MILLISECONDS);
        for (int n = 0; row != null; ) {
          writeRow(g, row);
          if (++n >= BATCH) break;
          row = sub.next(0, TimeUnit.MILLISECONDS);
        }
        long lagged = sub.takeLagged();
        if (lagged > 0) writeDropped(g, lagged);
        g.flush();
        if (chunk.size() > 0) {
          flush(g, chunk, out);
          lastWrite = System.nanoTime();
        } else if (System.nanoTime() - lastWrite > keepAliveNanos) {
          g.writeRaw(sse ? ": keep-alive\n\n" : "\n");
          flush(g, chunk, out);
          lastWrite = System.nanoTime();
        }
        if (sub.isFinished() || System.currentTimeMillis() * 1_000_000L >= query.untilNanos()) {
          long more = sub.takeLagged();
          if (more > 0) writeDropped(g, more);
          if (sse)
            g.writeRaw("event: end\ndata: {\"state\":\"" + tp.state().jsonName() + "\"}\n\n");
          flush(g, chunk, out);
          return;
        }
      }
    } catch (IOException e) {
      // The client went away.
    }
  }

  private void writeRow(JsonGenerator g, Row row) throws IOException {
    if (sse) g.writeRaw("data: ");
    RowJson.write(g, row);
    g.writeRaw(sse ? "\n\n" : "\n");
  }

  private void writeDropped(JsonGenerator g, long n) throws IOException {
    String json = "{\"dropped\":" + n + "}";
    g.writeRaw(sse ? "event: dropped\ndata: " + json + "\n\n" : json + "\n");
  }

  private static void flush(JsonGenerator g, ByteArrayOutputStream chunk, OutputStream out)
      throws IOException {
    g.flush();
    if (chunk.size() == 0) return;
    chunk.writeTo(out);
    out.flush();
    chunk.reset();
  }
}
