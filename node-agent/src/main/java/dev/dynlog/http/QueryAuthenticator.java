package dev.dynlog.http;

/**
 * Decides whether the bearer token of a request to the query API ({@code /api/v1/...}) belongs to a
 * client allowed to read rows. A node agent reviews tokens with the API server (the {@code kube}
 * package implements this); {@code dynlog trace/run --http} serve without one. Implementations must
 * never put the token into a verdict's message.
 */
public interface QueryAuthenticator {

  /**
   * Reviews one token (never null or empty). May block (a call to the API server); called on a
   * request thread.
   */
  Verdict review(String token);

  /** The outcome of one review. */
  enum Outcome {
    /** The token's user may read rows. */
    ALLOWED,
    /** The token is not valid, or its user may not read rows: 403. */
    DENIED,
    /** The token could not be reviewed now (the API server did not answer): 503, not cached. */
    UNAVAILABLE
  }

  /**
   * A review's outcome with a message for the client (for {@code DENIED} and {@code UNAVAILABLE}).
   */
  record Verdict(Outcome outcome, String message) {

    /** An allowed token. */
    public static Verdict allowed() {
      return new Verdict(Outcome.ALLOWED, "");
    }

    /** A refused token, with the reason the client is told. */
    public static Verdict denied(String message) {
      return new Verdict(Outcome.DENIED, message);
    }

    /** A token that could not be reviewed now, with the reason. */
    public static Verdict unavailable(String message) {
      return new Verdict(Outcome.UNAVAILABLE, message);
    }
  }
}
