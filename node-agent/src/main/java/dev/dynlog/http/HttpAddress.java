package dev.dynlog.http;

import java.net.InetSocketAddress;

/**
 * Parses the {@code --http ADDR} option: {@code HOST:PORT}, {@code [IPv6]:PORT}, or {@code :PORT}
 * for the loopback address only ({@code 0.0.0.0:PORT} or {@code [::]:PORT} is every interface).
 */
public final class HttpAddress {

  /** Where {@code :PORT} listens. */
  public static final String LOOPBACK = "127.0.0.1";

  private HttpAddress() {}

  /**
   * The socket address; port 0 picks a free port; no host means 127.0.0.1.
   *
   * @throws IllegalArgumentException saying what is wrong with {@code text}
   */
  public static InetSocketAddress parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "--http '" + text + "' needs a port: HOST:PORT or :PORT (e.g. 127.0.0.1:9464)");
    }
    String host = text.substring(0, colon);
    String portText = text.substring(colon + 1);
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--http '" + text + "': port '" + portText + "' is not a number");
    }
    if (port < 0 || port > 65535)
      throw new IllegalArgumentException("--http '" + text + "': port must be 0-65535");
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    if (host.isEmpty()) return new InetSocketAddress(LOOPBACK, port);
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved())
      throw new IllegalArgumentException("--http '" + text + "': unknown host '" + host + "'");
    return address;
  }
}
