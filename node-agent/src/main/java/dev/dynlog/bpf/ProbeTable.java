package dev.dynlog.bpf;

import com.sun.jna.Memory;
import dev.dynlog.recipe.RecipeLimits;

/**
 * The loaded object's per-probe state, indexed by probe id: configurations, recipes, counters and
 * rate limiter states. Hands out {@link KernelProbe}s, one per free probe id.
 */
public final class ProbeTable {
  /** The program attached at a function's entry. */
  public static final String ENTRY_PROGRAM = "dynlog_entry";

  /** The program attached on each RET instruction, or as a uretprobe. */
  public static final String RETURN_PROGRAM = "dynlog_return";

  /** A program that does nothing (the benchmarks' floor). */
  public static final String EMPTY_PROGRAM = "dynlog_empty";

  final BpfObject object;
  final BpfMap configs;
  final BpfMap recipes;
  final BpfMap stats;
  final BpfMap rates;
  final BpfMap groups;
  private final boolean[] used = new boolean[RecipeLimits.MAX_PROBES];
  private int next;

  public ProbeTable(BpfObject object) throws BpfException {
    this.object = object;
    configs = object.map("probes");
    recipes = object.map("recipes");
    stats = object.map("stats");
    rates = object.map("rates");
    groups = object.map("probe_groups");
  }

  /**
   * A free probe id with zeroed counters, inactive until {@link KernelProbe#load}.
   *
   * @throws BpfException when all {@value RecipeLimits#MAX_PROBES} ids are in use
   */
  public synchronized KernelProbe allocate() throws BpfException {
    for (int i = 0; i < RecipeLimits.MAX_PROBES; i++) {
      int id = (next + i) % RecipeLimits.MAX_PROBES;
      if (!used[id]) {
        used[id] = true;
        next = id + 1;
        return new KernelProbe(this, id);
      }
    }
    throw new BpfException("too many probes: at most " + RecipeLimits.MAX_PROBES + " at a time");
  }

  synchronized void release(int id) {
    used[id] = false;
  }

  static Memory zeroed(long size) {
    Memory m = new Memory(size);
    m.clear();
    return m;
  }
}
