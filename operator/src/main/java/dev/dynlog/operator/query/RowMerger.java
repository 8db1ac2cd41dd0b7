package dev.dynlog.operator.query;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Merges the rows of several agents as one agent would answer: each agent already answered at most
 * {@code limit} rows in the requested order, so the merged answer is the first {@code limit} of
 * their union sorted by {@code ts} (newest first for {@code order=newest}, else oldest first).
 * Equal times keep the agents' order, so the merge is stable.
 */
public final class RowMerger {

  private RowMerger() {}

  /** The merged rows. */
  public static List<AgentRow> merge(
      List<List<AgentRow>> perAgent, boolean newestFirst, int limit) {
    List<AgentRow> all = new ArrayList<>();
    perAgent.forEach(all::addAll);
    Comparator<AgentRow> byTime = Comparator.comparing(AgentRow::ts);
    all.sort(newestFirst ? byTime.reversed() : byTime);
    return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
  }
}
