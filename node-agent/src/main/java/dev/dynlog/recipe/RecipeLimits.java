package dev.dynlog.recipe;

/**
 * What the BPF program executes per probe hit at most: the one set of limits that the planner plans
 * within, the recipe encoder checks, and {@code src/main/bpf/dynlog.bpf.c} declares in its {@code
 * enum limits} ({@code LayoutTest} checks each value against the object's BTF).
 */
public final class RecipeLimits {
  private RecipeLimits() {}

  /** Probes loaded at a time (probe ids are indexes into the per-probe array maps). */
  public static final int MAX_PROBES = 512;

  /** Reads per probe site (entry or return). */
  public static final int MAX_READS = 16;

  /** Register/stack pieces one read assembles into its root buffer. */
  public static final int MAX_PIECES = 4;

  /** Pointer dereferences one read follows. */
  public static final int MAX_DEREFS = 4;

  /**
   * Bytes one read delivers: a fixed-size value, or the bytes copied from one string or byte slice
   * (longer strings are cut here and marked truncated). Also the largest {@code maxStringBytes}.
   */
  public static final int MAX_VALUE_BYTES = 512;

  /** Bytes of the root buffer a read assembles from its pieces. */
  public static final int MAX_ROOT_BYTES = 512;

  /** Upper bounds of the latency histogram counted in the kernel. */
  public static final int MAX_LATENCY_BOUNDS = 32;

  /** Process groups (typically containers) that a filtered probe may allow, at a time. */
  public static final int MAX_GROUPS = 1024;

  /** Processes that belong to a process group, at a time. */
  public static final int MAX_PROCESSES = 65536;
}
