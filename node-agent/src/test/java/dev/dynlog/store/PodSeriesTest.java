package dev.dynlog.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dynlog.trace.ProbeCounters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bound on the pod label: sticky, exact sums, standalone counters untouched. */
class PodSeriesTest {

  static ProbeCounters calls(long n) {
    return new ProbeCounters(
        n, n, 0, new long[] {1000}, new long[] {n, 0}, n, 0, 0, 0, 0, n * 3, n, 1);
  }

  static List<String> names(List<PodCounters> series) {
    return series.stream().map(PodCounters::pod).toList();
  }

  @Test
  void podsPastTheBoundAreSummedAsOtherAndStayThere() {
    PodSeries series = new PodSeries(2);
    List<PodCounters> first =
        series.bound(
            List.of(
                new PodCounters("b", calls(1)),
                new PodCounters("a", calls(2)),
                new PodCounters("c", calls(4)),
                new PodCounters("d", calls(8))));
    assertEquals(List.of("b", "a", "other"), names(first));
    assertEquals(12, first.get(2).counters().calls());
    assertEquals(15, PodCounters.total(first, null).calls(), "the sum is exact");
    assertEquals(15, PodCounters.total(first, null).probeRunTimeNs() / 3);

    // a named pod that left keeps its series as long as it is reported; a new pod goes to other,
    // even when it sorts first: no pod ever moves between its own series and other
    List<PodCounters> later =
        series.bound(
            List.of(
                new PodCounters("0", calls(16)),
                new PodCounters("a", calls(3)),
                new PodCounters("b", calls(1)),
                new PodCounters("c", calls(5)),
                new PodCounters("d", calls(8))));
    assertEquals(List.of("b", "a", "other"), names(later));
    assertEquals(29, later.get(2).counters().calls());
    assertEquals(33, PodCounters.total(later, null).calls());
  }

  @Test
  void theDefaultBoundNamesTwentyPods() {
    PodSeries series = new PodSeries();
    List<PodCounters> pods = new ArrayList<>();
    for (int i = 0; i < 25; i++) pods.add(new PodCounters("pod-" + (100 + i), calls(i + 1)));
    List<PodCounters> out = series.bound(pods);
    assertEquals(PodSeries.MAX_PODS + 1, out.size());
    assertEquals("pod-119", out.get(19).pod());
    assertEquals(21 + 22 + 23 + 24 + 25, out.get(20).counters().calls());
  }

  @Test
  void standaloneCountersPassUnchangedAndAPodNamedOtherIsOther() {
    PodSeries series = new PodSeries(1);
    PodCounters standalone = new PodCounters(null, calls(3));
    assertEquals(List.of(standalone), series.bound(List.of(standalone)));
    List<PodCounters> out =
        series.bound(List.of(new PodCounters("other", calls(1)), new PodCounters("x", calls(2))));
    assertEquals(List.of("x", "other"), names(out));
    assertEquals(1, out.get(1).counters().calls());
    assertThrows(IllegalArgumentException.class, () -> new PodSeries(0));
  }
}
