package dev.dynlog.trace;

/** Opens a tracer and prints the outcome; run in a child process without capabilities by a test. */
final class TracerOpenMain {
  private TracerOpenMain() {}

  public static void main(String[] args) {
    try (Tracer t = Tracer.open()) {
      System.out.println("opened");
    } catch (TracerException e) {
      System.out.println("error: " + e.getMessage());
    }
  }
}
