package dev.dynlog.http;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One TCP connection speaking HTTP/1.1 by hand, from a chosen loopback source address (Linux routes
 * all of 127.0.0.0/8 to the loopback interface, so each 127.0.0.N is a distinct client), for tests
 * that send requests slowly, partly, or with bytes no HTTP client library would send.
 */
final class RawClient implements Closeable {

  /** An answer as read from the wire. */
  record Answer(int status, Map<String, String> headers, String body) {
    /** A header's value (names in lower case), or null. */
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Connects from {@code fromIp} (a 127.x.y.z address) to 127.0.0.1:{@code port}. */
  static RawClient connect(String fromIp, int port) throws IOException {
    return connect(fromIp, "127.0.0.1", port);
  }

  /** Connects from {@code fromIp} to {@code toIp}:{@code port}. */
  static RawClient connect(String fromIp, String toIp, int port) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.bind(new InetSocketAddress(fromIp, 0));
    s.connect(new InetSocketAddress(toIp, port), 5000);
    return new RawClient(s);
  }

  /** Sends text as ISO-8859-1 bytes (each char one byte). */
  void send(String text) throws IOException {
    send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Sends bytes. */
  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** {@code GET target} with a Host header, keeping the connection open. */
  void get(String target) throws IOException {
    send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  }

  /**
   * Reads one answer (status line, headers, body by Content-Length, chunks, or up to the end of the
   * connection), waiting at most {@code timeout} for each read.
   *
   * @throws IOException when the connection ends before a whole answer
   */
  Answer read(Duration timeout) throws IOException {
    return read(timeout, false);
  }

  /** Reads only the status line and headers of a 200 (a follow that never ends), else all. */
  Answer readHead(Duration timeout) throws IOException {
    return read(timeout, true);
  }

  private Answer read(Duration timeout, boolean headOfSuccess) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    String[] lines = readHead().split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/"))
      throw new IOException("not a status line: " + lines[0]);
    int status = Integer.parseInt(statusLine[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0)
        headers.put(
            lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).strip());
    }
    if (headOfSuccess && status == 200) return new Answer(status, headers, "");
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String length = headers.get("content-length");
    if (length != null) {
      body.write(in.readNBytes(Integer.parseInt(length)));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      while (true) {
        int size = Integer.parseInt(readLine().split(";")[0].strip(), 16);
        if (size == 0) {
          readLine();
          break;
        }
        body.write(in.readNBytes(size));
        readLine();
      }
    } else {
      body.write(in.readAllBytes());
    }
    return new Answer(status, headers, body.toString(StandardCharsets.UTF_8));
  }

  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) throw new IOException("the server closed the connection before an answer");
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') if (b != '\r') sb.append((char) b);
    return sb.toString();
  }

  /**
   * Waits up to {@code timeout} for the server to close the connection, discarding what it sends;
   * true when it did (end of stream or reset).
   */
  boolean awaitClosed(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] buf = new byte[4096];
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return false;
      socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
      try {
        if (in.read(buf) < 0) return true;
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true; // reset by the server
      }
    }
  }

  /** True when the server has neither closed nor reset the connection (checked without waiting). */
  boolean isOpen() throws IOException {
    return !awaitClosed(Duration.ofMillis(1));
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
