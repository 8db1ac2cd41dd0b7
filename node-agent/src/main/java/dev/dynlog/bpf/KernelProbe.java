package dev.dynlog.bpf;

import com.sun.jna.Memory;
import dev.dynlog.recipe.Read;
import dev.dynlog.recipe.RecipeLimits;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;

/**
 * One probe id of the loaded object: its recipes, configuration and counters in the maps, and the
 * uprobes attached with the id as cookie. {@link #load} writes the maps, the {@code attach} methods
 * add uprobes, {@link #detach()} removes them, {@link #close()} deactivates the id and gives it
 * back.
 */
public final class KernelProbe implements AutoCloseable {
  private final ProbeTable table;
  private final int id;
  private final List<UprobeLink> links = new ArrayList<>();
  private boolean closed;

  KernelProbe(ProbeTable table, int id) {
    this.table = table;
    this.id = id;
  }

  /** The probe id: the attach cookie, and the key of this probe's map entries. */
  public int id() {
    return id;
  }

  /**
   * Writes the recipes of both sites, zeroes the counters and the rate limiter, then activates the
   * configuration.
   *
   * @param function for messages
   * @param errorRead index among {@code returnReads} of the read of a Go error's type word, or -1
   */
  public void load(
      String function,
      List<Read> entryReads,
      List<Read> returnReads,
      int errorRead,
      ProbeConfig config)
      throws BpfException {
    table.recipes.update(
        BpfMap.intKey(id * 2 + Layout.SITE_ENTRY),
        RecipeEncoder.encode(function, "entry", entryReads, -1));
    table.recipes.update(
        BpfMap.intKey(id * 2 + Layout.SITE_RETURN),
        RecipeEncoder.encode(function, "return", returnReads, errorRead));
    table.stats.update(
        BpfMap.intKey(id),
        ProbeTable.zeroed((long) Layout.STATS_SIZE * table.object.possibleCpus()));
    table.rates.update(BpfMap.intKey(id), ProbeTable.zeroed(Layout.RATE_SIZE));
    table.groups.update(BpfMap.intKey(id), ProbeTable.zeroed(Layout.GROUP_SET_SIZE));
    table.configs.update(BpfMap.intKey(id), config.encode());
  }

  /** Attaches the entry program at a file offset of a binary (pid -1: every process of it). */
  public synchronized void attachEntry(int pid, String binaryPath, long fileOffset)
      throws BpfException {
    add(
        table.object.attachUprobe(
            ProbeTable.ENTRY_PROGRAM, pid, binaryPath, fileOffset, id, false));
  }

  /**
   * Attaches the return program: as a plain uprobe on a RET instruction, or ({@code uretprobe}) as
   * a uretprobe of the function whose entry is at {@code fileOffset}.
   */
  public synchronized void attachReturn(
      int pid, String binaryPath, long fileOffset, boolean uretprobe) throws BpfException {
    add(
        table.object.attachUprobe(
            ProbeTable.RETURN_PROGRAM, pid, binaryPath, fileOffset, id, uretprobe));
  }

  /**
   * Attaches the return program as plain uprobes on these RET instructions, together: one
   * uprobe_multi link where the kernel has them ({@link BpfObject#attachUprobes}).
   */
  public synchronized void attachReturns(int pid, String binaryPath, long[] retFileOffsets)
      throws BpfException {
    List<UprobeLink> added =
        table.object.attachUprobes(
            ProbeTable.RETURN_PROGRAM, pid, binaryPath, retFileOffsets, id, false);
    if (closed) UprobeLink.closeAll(added);
    for (UprobeLink l : added) add(l);
  }

  private void add(UprobeLink link) {
    if (closed) {
      link.close();
      throw new IllegalStateException("probe " + id + " is closed");
    }
    links.add(link);
  }

  /**
   * The process groups a filtered probe runs in ({@link ProcessGroups}): replaces the previous set
   * at once, without detaching anything.
   */
  public void allow(BitSet groups) throws BpfException {
    if (groups.length() > RecipeLimits.MAX_GROUPS) {
      throw new IllegalArgumentException("group " + (groups.length() - 1) + " out of range");
    }
    Memory bits = ProbeTable.zeroed(Layout.GROUP_SET_SIZE);
    long[] words = groups.toLongArray();
    for (int i = 0; i < words.length; i++) bits.setLong(8L * i, words[i]);
    table.groups.update(BpfMap.intKey(id), bits);
  }

  /** Uprobes attached now (a uprobe_multi link counts its offsets). */
  public synchronized int attached() {
    int n = 0;
    for (UprobeLink l : links) n += l.uprobes();
    return n;
  }

  /** Links attached now (each detached by one kernel operation). */
  public synchronized int links() {
    return links.size();
  }

  /** Detaches every uprobe of this probe; the maps keep their state. Idempotent. */
  public void detach() {
    UprobeLink.closeAll(takeLinks());
  }

  /** Detaches every uprobe of all these probes together ({@link UprobeLink#closeAll}). */
  public static void detachAll(Collection<KernelProbe> probes) {
    List<UprobeLink> all = new ArrayList<>();
    for (KernelProbe p : probes) all.addAll(p.takeLinks());
    UprobeLink.closeAll(all);
  }

  private synchronized List<UprobeLink> takeLinks() {
    List<UprobeLink> taken = new ArrayList<>(links);
    links.clear();
    return taken;
  }

  /** The counters, summed over CPUs. */
  public KernelCounters counters() throws BpfException {
    int cpus = table.object.possibleCpus();
    int words = Layout.STATS_SIZE / 8;
    long[] s = new long[words];
    Memory m = new Memory((long) Layout.STATS_SIZE * cpus);
    table.stats.lookup(BpfMap.intKey(id), m);
    for (int c = 0; c < cpus; c++) {
      for (int f = 0; f < words; f++) s[f] += m.getLong((long) c * Layout.STATS_SIZE + 8L * f);
    }
    long[] hist = new long[RecipeLimits.MAX_LATENCY_BOUNDS + 1];
    System.arraycopy(s, Layout.STAT_HIST, hist, 0, hist.length);
    return new KernelCounters(
        s[Layout.STAT_CALLS],
        s[Layout.STAT_RETURNS],
        s[Layout.STAT_ERRORS],
        s[Layout.STAT_LAT_SUM],
        s[Layout.STAT_RING_FULL],
        s[Layout.STAT_RATE_LIMITED],
        s[Layout.STAT_PAIR_FULL],
        s[Layout.STAT_STALE],
        s[Layout.STAT_RESTARTS],
        s[Layout.STAT_UNPAIRED],
        s[Layout.STAT_HITS],
        s[Layout.STAT_RUN_NS],
        s[Layout.STAT_FILTERED],
        hist);
  }

  /** Detaches, deactivates the configuration and gives the id back. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) return;
      detach();
      closed = true;
    }
    try {
      table.configs.update(BpfMap.intKey(id), ProbeTable.zeroed(Layout.CFG_SIZE));
    } catch (BpfException ignored) {
      // the object is being unloaded
    }
    table.release(id);
  }
}
