package dev.dynlog.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.store.RowSizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A row's capture map behaves as an insertion-ordered map of the same entries, nulls included. */
class CaptureMapTest {
  static final String[] NAMES = {"user", "n", "err", "point"};
  static final Object[] VALUES = {"alice", 42L, null, Map.of("x", 1L)};

  @Test
  void agreesWithALinkedHashMapOfTheSameEntries() {
    CaptureMap captures = new CaptureMap(NAMES, VALUES.clone());
    Map<String, Object> model = new LinkedHashMap<>();
    for (int i = 0; i < NAMES.length; i++) model.put(NAMES[i], VALUES[i]);

    assertEquals(model, captures);
    assertEquals(captures, model);
    assertEquals(model.hashCode(), captures.hashCode());
    assertEquals(model.toString(), captures.toString(), "plan order");
    assertEquals(4, captures.size());
    assertEquals(42L, captures.get("n"));
    assertNull(captures.get("err"));
    assertTrue(captures.containsKey("err"), "a nil value is still a capture");
    assertFalse(captures.containsKey("missing"));
    assertNull(captures.get("missing"));

    List<String> visited = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    captures.forEach(
        (k, v) -> {
          visited.add(k);
          values.add(v);
        });
    assertEquals(List.of(NAMES), visited);
    assertEquals(Arrays.asList(VALUES), values);
    assertThrows(UnsupportedOperationException.class, () -> captures.put("x", 1));
  }

  @Test
  void aRowOfACaptureMapIsSizedAsOneOfAnEqualMap() {
    Row viaCaptureMap =
        new Row("tp", 1, 2, 3, 4, "main.F", 5, new CaptureMap(NAMES, VALUES.clone()), Map.of());
    Map<String, Object> model = new LinkedHashMap<>();
    for (int i = 0; i < NAMES.length; i++) model.put(NAMES[i], VALUES[i]);
    Row viaModel = new Row("tp", 1, 2, 3, 4, "main.F", 5, model, Map.of());
    assertEquals(RowSizer.estimate(viaModel), RowSizer.estimate(viaCaptureMap));
    assertTrue(
        RowSizer.estimate(viaCaptureMap)
            > RowSizer.estimate(
                new Row(
                    "tp",
                    1,
                    2,
                    3,
                    4,
                    "main.F",
                    5,
                    new CaptureMap(new String[0], new Object[0]),
                    Map.of())));
  }
}
