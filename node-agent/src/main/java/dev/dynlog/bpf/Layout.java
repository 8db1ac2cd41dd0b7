package dev.dynlog.bpf;

import dev.dynlog.recipe.RecipeLimits;

/**
 * Byte layouts and enum values shared with {@code src/main/bpf/dynlog.bpf.c} (x86-64, little
 * endian); the limits are {@link RecipeLimits}. {@code LayoutTest} checks every struct size, member
 * offset and enum value here against the object's BTF, so a change on one side fails the build
 * until the other follows.
 */
public final class Layout {
  private Layout() {}

  // enum piece_source
  public static final int SRC_REGISTER = 0, SRC_STACK = 1;
  // enum probe_flags
  public static final int F_ACTIVE = 1, F_GO = 2, F_PAIRED = 4, F_RETSITE = 8, F_FILTERED = 16;
  // enum site
  public static final int SITE_ENTRY = 0, SITE_RETURN = 1;
  // enum event_type
  public static final int EV_ENTRY = 1, EV_RETURN = 2;
  // enum event_flags
  public static final int EVF_COMPLETE = 1, EVF_ERROR = 2;
  // enum read_stage
  public static final int ST_ROOT = 0, ST_DEREF = 1, ST_FINAL = 5, ST_STRING = 6;
  // enum read_flags
  public static final int RF_TRUNCATED = 1;

  // struct piece (24 bytes)
  public static final int PIECE_SIZE = 24;
  public static final int PIECE_SOURCE = 0,
      PIECE_REG_OFF = 4,
      PIECE_STACK_OFF = 8,
      PIECE_BYTES = 16,
      PIECE_VALUE_OFF = 20;

  // struct read_spec (160 bytes)
  public static final int READ_SIZE = 160;
  public static final int READ_KIND = 0,
      READ_MEMORY = 4,
      READ_NPIECES = 8,
      READ_NDEREFS = 12,
      READ_FINAL_OFF = 16,
      READ_BYTES = 24,
      READ_CAP = 28,
      READ_PIECES = 32,
      READ_DEREFS = 128;

  // struct recipe
  public static final int RECIPE_NREADS = 0, RECIPE_ERROR_READ = 4, RECIPE_READS = 8;
  public static final int RECIPE_SIZE = RECIPE_READS + RecipeLimits.MAX_READS * READ_SIZE;

  // struct probe_cfg
  public static final int CFG_FLAGS = 0,
      CFG_NBOUNDS = 4,
      CFG_GOID_OFF = 8,
      CFG_STACKHI_OFF = 16,
      CFG_INTERVAL_NS = 24,
      CFG_BURST_NS = 32,
      CFG_SAMPLE_THRESH = 40,
      CFG_BOUNDS = 48;
  public static final int CFG_SCHEDPC_OFF = CFG_BOUNDS + RecipeLimits.MAX_LATENCY_BOUNDS * 8;
  public static final int CFG_SIZE = CFG_SCHEDPC_OFF + 8;

  // struct probe_stats (u64 fields, per CPU): indexes of the u64 words
  public static final int STAT_CALLS = 0,
      STAT_RETURNS = 1,
      STAT_ERRORS = 2,
      STAT_LAT_SUM = 3,
      STAT_RING_FULL = 4,
      STAT_RATE_LIMITED = 5,
      STAT_PAIR_FULL = 6,
      STAT_STALE = 7,
      STAT_RESTARTS = 8,
      STAT_UNPAIRED = 9,
      STAT_HITS = 10,
      STAT_RUN_NS = 11,
      STAT_FILTERED = 12,
      STAT_HIST = 13;
  public static final int STATS_SIZE = (STAT_HIST + RecipeLimits.MAX_LATENCY_BOUNDS + 1) * 8;

  // struct group_set: a bitmap of MAX_GROUPS bits
  public static final int GROUP_SET_SIZE = RecipeLimits.MAX_GROUPS / 8;

  // struct rate_state
  public static final int RATE_SIZE = 8;

  // struct pair_key / pair_val
  public static final int PAIR_KEY_SIZE = 24, PAIR_KEY_PROBE = 4;
  public static final int PAIR_VAL_SIZE = 32, PAIR_VAL_TS = 0, PAIR_VAL_EMITTED = 24;

  // struct event_hdr (56 bytes)
  public static final int EV_TYPE = 0,
      EV_PROBE = 4,
      EV_SEQ = 8,
      EV_TS = 16,
      EV_PID = 24,
      EV_TID = 28,
      EV_GOID = 32,
      EV_LATENCY = 40,
      EV_NREADS = 48,
      EV_FLAGS = 52,
      EV_HEADER = 56;

  // struct read_rec (24 bytes), followed by len data bytes padded to 8
  public static final int REC_ERR = 0,
      REC_STAGE = 4,
      REC_FLAGS = 6,
      REC_LEN = 8,
      REC_FULL_LEN = 12,
      REC_ADDR = 16,
      REC_HEADER = 24;
}
