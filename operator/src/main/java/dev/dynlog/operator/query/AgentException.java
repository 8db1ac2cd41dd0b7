package dev.dynlog.operator.query;

/**
 * An agent that did not give rows: unreachable, too slow, or an error answer.
 *
 * @see AgentClient
 */
public final class AgentException extends Exception {

  private final int status;
  private final String detail;

  /**
   * @param status the agent's HTTP status, or 0 when it gave none
   */
  public AgentException(int status, String message) {
    this(status, message, message);
  }

  /**
   * @param status the agent's HTTP status
   * @param detail the agent's own error message (of its {@code {"error": ...}} answer)
   */
  public AgentException(int status, String message, String detail) {
    super(message);
    this.status = status;
    this.detail = detail;
  }

  /** The agent's own error message, or the whole message when it sent none. */
  public String detail() {
    return detail;
  }

  /** The agent's HTTP status, 0 when it did not answer. */
  public int status() {
    return status;
  }
}
