package dev.dynlog.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.store.TracepointInfo;
import dev.dynlog.trace.Row;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code where} on where a row ran: namespace, pod, container, node. */
class SourceFieldsTest {

  static final Row.Source SOURCE = new Row.Source("shop", "web-1", "app", "node-a");

  static Row row(Map<String, Object> captures, Row.Source source) {
    return new Row("shop/login", 1, 1, 1, -1, "f", -1, captures, Map.of(), source);
  }

  @Test
  void theFourFieldsMatchTheRowsSource() {
    Row r = row(Map.of("user", "alice"), SOURCE);
    assertTrue(Where.parse("pod=web-1").test(r));
    assertTrue(Where.parse("container = app").test(r));
    assertTrue(Where.parse("node!=node-b").test(r));
    assertTrue(Where.parse("namespace contains sho").test(r));
    assertFalse(Where.parse("pod=web-2").test(r));
    assertFalse(Where.parse("pod.x=web-1").test(r), "a name has no fields");
    Row standalone = row(Map.of("user", "alice"), null);
    assertFalse(Where.parse("pod=web-1").test(standalone));
    assertFalse(Where.parse("pod!=web-1").test(standalone), "a missing field matches nothing");
  }

  @Test
  void aCaptureOfTheSameNameWins() {
    Row r = row(Map.of("pod", "captured"), SOURCE);
    assertTrue(Where.parse("pod=captured").test(r));
    assertFalse(Where.parse("pod=web-1").test(r));
  }

  @Test
  void validationKnowsWhetherRowsCarryASource() {
    TracepointInfo info =
        new TracepointInfo("shop/login", "f", "node node-a", List.of("user"), false, List.of());
    Query q =
        new Query(
            Long.MIN_VALUE, Long.MAX_VALUE, 10, Order.NEWEST, 0, -1, List.of(Where.parse("pod=a")));
    q.validate(info, true);
    BadQueryException standalone = assertThrows(BadQueryException.class, () -> q.validate(info));
    assertEquals(
        "where 'pod=a': rows of tracepoint 'shop/login' have no pod: it runs outside Kubernetes"
            + " (only a node agent's rows carry namespace, pod, container, node)",
        standalone.getMessage());
    TracepointInfo withPod =
        new TracepointInfo("t", "f", "pid 1", List.of("pod"), false, List.of());
    q.validate(withPod, false);
  }
}
