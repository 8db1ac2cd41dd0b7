package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The pending-call table behaves as a map, checked against java.util.HashMap on random operations.
 */
class PendingCallsTest {

  @Test
  void behavesLikeAMapUnderRandomPutsRemovesAndSweeps() {
    PendingCalls<Long> table = new PendingCalls<>();
    Map<Long, Long> model = new HashMap<>();
    Random random = new Random(11);
    for (int i = 0; i < 200_000; i++) {
      long key = random.nextInt(5_000) * 4096L; // colliding low bits on purpose
      switch (random.nextInt(5)) {
        case 0, 1 -> {
          table.put(key, (long) i);
          model.put(key, (long) i);
        }
        case 2, 3 ->
            assertEquals(model.remove(key), table.remove(key), "remove " + key + " at step " + i);
        default -> {
          if (random.nextInt(100) == 0) {
            long limit = i - 1_000;
            table.removeIf(v -> v < limit);
            model.values().removeIf(v -> v < limit);
          }
        }
      }
      assertEquals(model.size(), table.size(), "size at step " + i);
    }
    for (Map.Entry<Long, Long> e : model.entrySet())
      assertEquals(e.getValue(), table.remove(e.getKey()));
    assertEquals(0, table.size());
  }
}
