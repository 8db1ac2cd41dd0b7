package dev.dynlog.operator.query;

/**
 * How a follow through the aggregated API writes its lines: JSONL (the default) or server-sent
 * events, in the agent's own forms (docs/query-api.md, "Live follow").
 */
enum FollowFormat {
  /** One JSON object a line; an empty line is a keep-alive; the stream just ends. */
  JSONL("application/x-ndjson"),
  /**
   * {@code data: ROW}; {@code event: warning} / {@code event: dropped} for those lines; {@code :
   * keep-alive} comments; {@code event: end} with the reason last.
   */
  SSE("text/event-stream");

  private final String contentType;

  FollowFormat(String contentType) {
    this.contentType = contentType;
  }

  /** The format of {@code format=...} ({@code jsonl} or {@code sse}). */
  static FollowFormat of(String format) {
    return format.equals("sse") ? SSE : JSONL;
  }

  String contentType() {
    return contentType;
  }

  /** One line as an agent or a warning gave it (a JSON object), framed. */
  String frame(String json) {
    if (this == JSONL) {
      return json + "\n";
    }
    if (json.startsWith("{\"warning\"")) {
      return "event: warning\ndata: " + json + "\n\n";
    }
    if (json.startsWith("{\"dropped\"")) {
      return "event: dropped\ndata: " + json + "\n\n";
    }
    return "data: " + json + "\n\n";
  }

  String keepAlive() {
    return this == JSONL ? "\n" : ": keep-alive\n\n";
  }

  /** The last frame, saying why the follow ended ({@code deleted}, {@code expired}). */
  String end(String state) {
    return this == JSONL ? "" : "event: end\ndata: {\"state\":\"" + state + "\"}\n\n";
  }
}
