package dev.dynlog.trace;

import dev.dynlog.plan.SiteKind;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one uprobe hit costs on this node, in CPU nanoseconds of the traced thread, by the kind of
 * the probed instruction ({@link SiteKind}), outside the BPF program itself (whose run time the
 * kernel measures per probe). Measured by {@link TrapCalibration}; {@link #DEFAULTS} stand in when
 * it cannot run.
 *
 * @param perHitNs cost of one hit per site kind (every kind present)
 * @param uretprobeNs extra cost of a call whose return is caught by a uretprobe (the return address
 *     hijack at entry plus the trap or syscall at the trampoline)
 * @param measured false for {@link #DEFAULTS}
 */
public record TrapCosts(Map<SiteKind, Double> perHitNs, double uretprobeNs, boolean measured) {

  /**
   * Conservative figures for when calibration fails: a single step costs about 20 µs per hit on the
   * virtual machines measured, an emulated instruction about 2 µs; the budget then errs towards
   * detaching early.
   */
  public static final TrapCosts DEFAULTS = defaults();

  public TrapCosts {
    perHitNs = Map.copyOf(new EnumMap<>(perHitNs));
    for (SiteKind k : SiteKind.values()) {
      if (!perHitNs.containsKey(k)) throw new IllegalArgumentException("no cost for " + k);
    }
  }

  private static TrapCosts defaults() {
    Map<SiteKind, Double> m = new EnumMap<>(SiteKind.class);
    for (SiteKind k : SiteKind.values()) m.put(k, 20_000.0);
    m.put(SiteKind.PUSH, 2_000.0);
    m.put(SiteKind.BRANCH, 2_000.0);
    return new TrapCosts(m, 20_000.0, false);
  }

  /** Cost of one hit of a uprobe on an instruction of this kind. */
  public double of(SiteKind kind) {
    return perHitNs.get(kind);
  }

  /**
   * Average cost of one hit of a probe, given its sites. A paired probe has two hits per call
   * (entry and return), so the average of the two is exact whenever every entry has its return.
   *
   * @param entry kind of the entry instruction
   * @param returns how returns are caught: null (no return probe), a RET-site kind, or {@code
   *     uretprobe}
   */
  public double perHit(SiteKind entry, SiteKind returns, boolean uretprobe) {
    double e = of(entry);
    if (uretprobe) return (e + uretprobeNs) / 2;
    if (returns == null) return e;
    return (e + of(returns)) / 2;
  }

  /** One line for the agent's log: every kind's cost in µs. */
  @Override
  public String toString() {
    String kinds =
        perHitNs.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue() / 1000))
            .collect(Collectors.joining(", "));
    return String.format(
        Locale.ROOT,
        "µs per uprobe hit (%s): %s, uretprobe return %.2f",
        measured ? "measured" : "defaults, not measured",
        kinds,
        uretprobeNs / 1000);
  }
}
