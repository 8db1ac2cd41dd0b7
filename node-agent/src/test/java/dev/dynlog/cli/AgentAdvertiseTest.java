package dev.dynlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.http.AgentHttpServer;
import dev.dynlog.metrics.DynlogMetrics;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.TracepointRegistry;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Where {@code dynlog agent} says it serves its query API ({@code status.agent}): {@code
 * --advertise}, else the pod's IP when serving every interface, else the server's own address; and
 * the checks of {@code --advertise}.
 */
class AgentAdvertiseTest {

  @Test
  void advertisesThePodIpOnlyWhenServingEveryInterface() throws Exception {
    TracepointRegistry registry = new TracepointRegistry(StoreConfig.DEFAULT);
    try (DynlogMetrics metrics = new DynlogMetrics(registry);
        AgentHttpServer all =
            AgentHttpServer.start(new InetSocketAddress("0.0.0.0", 0), registry, metrics);
        AgentHttpServer loopback =
            AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, metrics)) {
      assertEquals(
          "http://10.244.1.7:" + all.port(), AgentCommand.advertised(null, "10.244.1.7", all));
      assertEquals("http://[fd00::7]:" + all.port(), AgentCommand.advertised(null, "fd00::7", all));
      assertEquals("http://127.0.0.1:" + all.port(), AgentCommand.advertised(null, null, all));
      assertEquals(
          "http://127.0.0.1:" + loopback.port(),
          AgentCommand.advertised(null, "10.244.1.7", loopback));
      assertEquals(
          "https://agent.example:9464",
          AgentCommand.advertised("https://agent.example:9464/", "10.244.1.7", all));
    }
  }

  @Test
  void aBadAdvertiseUrlIsSaidInTheOptionsWords() {
    for (String bad : new String[] {"10.0.0.5:9464", "ftp://h:1", "http://h:1/?x=1", "http:// x"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> AgentCommand.checkAdvertise(bad));
      assertTrue(e.getMessage().startsWith("--advertise '" + bad + "'"), e.getMessage());
      assertTrue(e.getMessage().contains("http://10.0.0.5:9464"), e.getMessage());
    }
    AgentCommand.checkAdvertise("http://10.0.0.5:9464");
  }
}
