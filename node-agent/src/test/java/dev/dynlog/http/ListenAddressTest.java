package dev.dynlog.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.cli.Main;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.TracepointRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where {@code --http ADDR} listens, checked against the kernel's own table of listening sockets
 * ({@code /proc/net/tcp}, {@code /proc/net/tcp6}) and by connecting: {@code :PORT} is the loopback
 * address 127.0.0.1 only, {@code 0.0.0.0:PORT} and {@code [::]:PORT} every interface, as {@code
 * --help} says. Also the message when the address is taken.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListenAddressTest {

  private TracepointRegistry registry;
  private DynlogMetrics metrics;

  @BeforeEach
  void start() {
    registry = new TracepointRegistry(StoreConfig.DEFAULT);
    metrics = new DynlogMetrics(registry);
  }

  @AfterEach
  void stop() {
    metrics.close();
  }

  /** The local addresses of the kernel's listening TCP sockets on {@code port}. */
  private static List<InetAddress> listening(int port) throws IOException {
    List<InetAddress> out = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        String[] local = f[1].split(":");
        if (!f[3].equals("0A") || Integer.parseInt(local[1], 16) != port) continue;
        // The address is in 32-bit words, each in the host's (little-endian) byte order.
        byte[] raw = HexFormat.of().parseHex(local[0]);
        for (int w = 0; w < raw.length; w += 4) {
          byte b0 = raw[w], b1 = raw[w + 1];
          raw[w] = raw[w + 3];
          raw[w + 1] = raw[w + 2];
          raw[w + 2] = b1;
          raw[w + 3] = b0;
        }
        out.add(InetAddress.getByAddress(raw));
      }
    }
    return out;
  }

  private static boolean accepts(String host, int port) throws IOException {
    try (RawClient c = RawClient.connect(host.contains(":") ? "::1" : "127.0.0.1", host, port)) {
      c.get("/healthz");
      return c.read(Duration.ofSeconds(5)).status() == 200;
    } catch (ConnectException e) {
      return false;
    }
  }

  @Test
  void portAloneListensOnLoopbackOnly() throws Exception {
    assertEquals(new InetSocketAddress("127.0.0.1", 9464), HttpAddress.parse(":9464"));
    try (AgentHttpServer server =
        AgentHttpServer.start(HttpAddress.parse(":0"), registry, metrics)) {
      int port = server.port();
      assertEquals(List.of(InetAddress.getByName("127.0.0.1")), listening(port));
      assertEquals("http://127.0.0.1:" + port, server.baseUri().toString());
      assertTrue(accepts("127.0.0.1", port));
      assertTrue(!accepts("127.0.0.2", port), "another address reached a loopback-only server");
    }
  }

  @Test
  void anyAddressListensOnEveryInterface() throws Exception {
    for (String addr : List.of("0.0.0.0:0", "[::]:0")) {
      try (AgentHttpServer server =
          AgentHttpServer.start(HttpAddress.parse(addr), registry, metrics)) {
        int port = server.port();
        List<InetAddress> bound = listening(port);
        assertEquals(1, bound.size(), addr + ": " + bound);
        assertTrue(bound.get(0).isAnyLocalAddress(), addr + " listens on " + bound);
        assertEquals("http://127.0.0.1:" + port, server.baseUri().toString());
        assertTrue(accepts("127.0.0.1", port), addr);
        assertTrue(accepts("127.0.0.2", port), addr);
      }
    }
    try (AgentHttpServer server =
        AgentHttpServer.start(HttpAddress.parse("[::]:0"), registry, metrics)) {
      assertTrue(accepts("::1", server.port()));
    }
  }

  @Test
  void helpSaysWherePortAloneListens() {
    for (String command : List.of("trace", "run")) {
      PrintStream out = System.out;
      ByteArrayOutputStream help = new ByteArrayOutputStream();
      try {
        System.setOut(new PrintStream(help, true, StandardCharsets.UTF_8));
        assertEquals(0, Main.run(command, "--help"));
      } finally {
        System.setOut(out);
      }
      String text = help.toString(StandardCharsets.UTF_8);
      String words =
          "a port alone (:9464) listens on 127.0.0.1 only, 0.0.0.0:PORT or [::]:PORT"
              + " on every interface";
      assertTrue(text.replaceAll("\\s+", "").contains(words.replaceAll("\\s+", "")), text);
    }
  }

  @Test
  void aTakenAddressIsNamedWithoutASlash() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      IOException e =
          assertThrows(
              IOException.class,
              () ->
                  AgentHttpServer.start(
                      new InetSocketAddress("127.0.0.1", port), registry, metrics));
      assertEquals(
          "cannot listen on 127.0.0.1:" + port + ": Address already in use", e.getMessage());
    }
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
      int port = taken.getLocalPort();
      IOException e =
          assertThrows(
              IOException.class,
              () -> AgentHttpServer.start(HttpAddress.parse("[::1]:" + port), registry, metrics));
      assertEquals("cannot listen on [::1]:" + port + ": Address already in use", e.getMessage());
    }
  }
}
