package dev.dynlog.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.dynlog.api.v1alpha1.Limits;
import dev.dynlog.plan.PlanOptions;
import dev.dynlog.recipe.Read;
import dev.dynlog.recipe.RecipeLimits;
import dev.dynlog.recipe.Register;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java mirror of the BPF program ({@link Layout}, {@link RecipeLimits}, {@link Read.Kind},
 * {@link Register}) against the embedded object's own BTF, as printed by {@code bpftool btf dump
 * file}: struct sizes, member offsets, every enum value and every limit must agree.
 */
@Tag("toolchain")
class LayoutTest {
  /** struct name → size, and "struct.member" → byte offset. */
  static final Map<String, Integer> SIZES = new HashMap<>();

  static final Map<String, Integer> OFFSETS = new HashMap<>();

  /** enum name → (enumerator → value). */
  static final Map<String, Map<String, Long>> ENUMS = new HashMap<>();

  @BeforeAll
  static void dumpBtf(@TempDir Path dir) throws Exception {
    Path obj = dir.resolve("dynlog.bpf.o");
    try (InputStream in = LayoutTest.class.getResourceAsStream(BpfObject.RESOURCE)) {
      assertNotNull(in, "the build did not embed " + BpfObject.RESOURCE);
      Files.copy(in, obj);
    }
    Process p =
        new ProcessBuilder("bpftool", "btf", "dump", "file", obj.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    Pattern struct = Pattern.compile("^\\[\\d+\\] STRUCT '(\\w+)' size=(\\d+)");
    Pattern member = Pattern.compile("^\\s+'(\\w+)' type_id=\\d+ bits_offset=(\\d+)");
    Pattern enumType = Pattern.compile("^\\[\\d+\\] ENUM '(\\w+)'");
    Pattern enumerator = Pattern.compile("^\\s+'(\\w+)' val=(-?\\d+)");
    String current = null;
    Map<String, Long> currentEnum = null;
    for (String line : out.split("\n")) {
      Matcher s = struct.matcher(line);
      Matcher m = member.matcher(line);
      Matcher e = enumType.matcher(line);
      Matcher v = enumerator.matcher(line);
      if (e.find()) {
        currentEnum = new TreeMap<>();
        ENUMS.put(e.group(1), currentEnum);
        current = null;
      } else if (currentEnum != null && v.find()) {
        currentEnum.put(v.group(1), Long.parseLong(v.group(2)));
      } else if (s.find()) {
        currentEnum = null;
        current = s.group(1);
        SIZES.put(current, Integer.parseInt(s.group(2)));
      } else if (current != null && m.find()) {
        OFFSETS.put(current + "." + m.group(1), Integer.parseInt(m.group(2)) / 8);
      } else if (!line.startsWith("\t")) {
        current = null;
        currentEnum = null;
      }
    }
  }

  static void offset(String member, int expected) {
    assertEquals(expected, OFFSETS.get(member), member);
  }

  @Test
  void recipeLayoutMatchesBtf() {
    assertEquals(Layout.PIECE_SIZE, SIZES.get("piece"));
    offset("piece.source", Layout.PIECE_SOURCE);
    offset("piece.reg_off", Layout.PIECE_REG_OFF);
    offset("piece.stack_off", Layout.PIECE_STACK_OFF);
    offset("piece.size", Layout.PIECE_BYTES);
    offset("piece.value_off", Layout.PIECE_VALUE_OFF);
    assertEquals(Layout.READ_SIZE, SIZES.get("read_spec"));
    offset("read_spec.kind", Layout.READ_KIND);
    offset("read_spec.memory", Layout.READ_MEMORY);
    offset("read_spec.npieces", Layout.READ_NPIECES);
    offset("read_spec.nderefs", Layout.READ_NDEREFS);
    offset("read_spec.final_off", Layout.READ_FINAL_OFF);
    offset("read_spec.size", Layout.READ_BYTES);
    offset("read_spec.cap", Layout.READ_CAP);
    offset("read_spec.pieces", Layout.READ_PIECES);
    offset("read_spec.derefs", Layout.READ_DEREFS);
    assertEquals(Layout.RECIPE_SIZE, SIZES.get("recipe"));
    offset("recipe.nreads", Layout.RECIPE_NREADS);
    offset("recipe.error_read", Layout.RECIPE_ERROR_READ);
    offset("recipe.reads", Layout.RECIPE_READS);
  }

  @Test
  void configStatsAndPairingLayoutMatchesBtf() {
    assertEquals(Layout.CFG_SIZE, SIZES.get("probe_cfg"));
    offset("probe_cfg.flags", Layout.CFG_FLAGS);
    offset("probe_cfg.nbounds", Layout.CFG_NBOUNDS);
    offset("probe_cfg.goid_off", Layout.CFG_GOID_OFF);
    offset("probe_cfg.stackhi_off", Layout.CFG_STACKHI_OFF);
    offset("probe_cfg.interval_ns", Layout.CFG_INTERVAL_NS);
    offset("probe_cfg.burst_ns", Layout.CFG_BURST_NS);
    offset("probe_cfg.sample_thresh", Layout.CFG_SAMPLE_THRESH);
    offset("probe_cfg.bounds", Layout.CFG_BOUNDS);
    offset("probe_cfg.schedpc_off", Layout.CFG_SCHEDPC_OFF);
    assertEquals(Layout.STATS_SIZE, SIZES.get("probe_stats"));
    offset("probe_stats.calls", 8 * Layout.STAT_CALLS);
    offset("probe_stats.returns", 8 * Layout.STAT_RETURNS);
    offset("probe_stats.errors", 8 * Layout.STAT_ERRORS);
    offset("probe_stats.lat_sum", 8 * Layout.STAT_LAT_SUM);
    offset("probe_stats.ring_full", 8 * Layout.STAT_RING_FULL);
    offset("probe_stats.rate_limited", 8 * Layout.STAT_RATE_LIMITED);
    offset("probe_stats.pair_full", 8 * Layout.STAT_PAIR_FULL);
    offset("probe_stats.stale", 8 * Layout.STAT_STALE);
    offset("probe_stats.restarts", 8 * Layout.STAT_RESTARTS);
    offset("probe_stats.unpaired", 8 * Layout.STAT_UNPAIRED);
    offset("probe_stats.hits", 8 * Layout.STAT_HITS);
    offset("probe_stats.run_ns", 8 * Layout.STAT_RUN_NS);
    offset("probe_stats.filtered", 8 * Layout.STAT_FILTERED);
    assertEquals(Layout.GROUP_SET_SIZE, SIZES.get("group_set"));
    offset("probe_stats.hist", 8 * Layout.STAT_HIST);
    assertEquals(Layout.RATE_SIZE, SIZES.get("rate_state"));
    assertEquals(Layout.PAIR_KEY_SIZE, SIZES.get("pair_key"));
    offset("pair_key.probe", Layout.PAIR_KEY_PROBE);
    assertEquals(Layout.PAIR_VAL_SIZE, SIZES.get("pair_val"));
    offset("pair_val.ts", Layout.PAIR_VAL_TS);
    offset("pair_val.emitted", Layout.PAIR_VAL_EMITTED);
  }

  @Test
  void eventLayoutMatchesBtf() {
    assertEquals(Layout.EV_HEADER, SIZES.get("event_hdr"));
    offset("event_hdr.type", Layout.EV_TYPE);
    offset("event_hdr.probe", Layout.EV_PROBE);
    offset("event_hdr.seq", Layout.EV_SEQ);
    offset("event_hdr.ts", Layout.EV_TS);
    offset("event_hdr.pid", Layout.EV_PID);
    offset("event_hdr.tid", Layout.EV_TID);
    offset("event_hdr.goid", Layout.EV_GOID);
    offset("event_hdr.latency", Layout.EV_LATENCY);
    offset("event_hdr.nreads", Layout.EV_NREADS);
    offset("event_hdr.flags", Layout.EV_FLAGS);
    assertEquals(Layout.REC_HEADER, SIZES.get("read_rec"));
    offset("read_rec.err", Layout.REC_ERR);
    offset("read_rec.stage", Layout.REC_STAGE);
    offset("read_rec.flags", Layout.REC_FLAGS);
    offset("read_rec.len", Layout.REC_LEN);
    offset("read_rec.full_len", Layout.REC_FULL_LEN);
    offset("read_rec.addr", Layout.REC_ADDR);
  }

  static void enumEquals(String name, Map<String, Integer> java) {
    Map<String, Long> btf = ENUMS.get(name);
    assertNotNull(btf, "enum " + name + " is not in the object's BTF; enums are " + ENUMS.keySet());
    Map<String, Long> expected = new TreeMap<>();
    java.forEach((k, v) -> expected.put(k, (long) v));
    assertEquals(
        btf, expected, "enum " + name + ": the BPF program (left) and the Java mirror (right)");
  }

  @Test
  void everyLimitMatchesTheProgramsEnum() throws IllegalAccessException {
    Map<String, Integer> limits = new TreeMap<>();
    for (Field f : RecipeLimits.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class)
        limits.put(f.getName(), f.getInt(null));
    }
    enumEquals("limits", limits);
    assertEquals(
        RecipeLimits.MAX_VALUE_BYTES,
        Limits.MAX_STRING_BYTES,
        "the Tracepoint spec's maxStringBytes bound is what the program copies per read");
    assertEquals(
        PlanOptions.MAX_ELEMENTS,
        Limits.MAX_COLLECTION_ELEMENTS,
        "the Tracepoint spec's maxCollectionElements bound is what the planner accepts");
  }

  @Test
  void everyEnumValueMatchesTheProgramsEnums() {
    Map<String, Integer> kinds = new TreeMap<>();
    for (Read.Kind k : Read.Kind.values()) kinds.put("K_" + k.name(), k.code());
    enumEquals("read_kind", kinds);
    enumEquals(
        "piece_source", Map.of("SRC_REGISTER", Layout.SRC_REGISTER, "SRC_STACK", Layout.SRC_STACK));
    enumEquals(
        "probe_flags",
        Map.of(
            "F_ACTIVE",
            Layout.F_ACTIVE,
            "F_GO",
            Layout.F_GO,
            "F_PAIRED",
            Layout.F_PAIRED,
            "F_RETSITE",
            Layout.F_RETSITE,
            "F_FILTERED",
            Layout.F_FILTERED));
    enumEquals("site", Map.of("SITE_ENTRY", Layout.SITE_ENTRY, "SITE_RETURN", Layout.SITE_RETURN));
    enumEquals("event_type", Map.of("EV_ENTRY", Layout.EV_ENTRY, "EV_RETURN", Layout.EV_RETURN));
    enumEquals(
        "event_flags", Map.of("EVF_COMPLETE", Layout.EVF_COMPLETE, "EVF_ERROR", Layout.EVF_ERROR));
    enumEquals(
        "read_stage",
        Map.of(
            "ST_ROOT",
            Layout.ST_ROOT,
            "ST_DEREF",
            Layout.ST_DEREF,
            "ST_FINAL",
            Layout.ST_FINAL,
            "ST_STRING",
            Layout.ST_STRING));
    enumEquals("read_flags", Map.of("RF_TRUNCATED", Layout.RF_TRUNCATED));
  }

  @Test
  void registerOffsetsMatchPtRegs() {
    for (Register r : Register.values()) {
      String member =
          switch (r) {
            case RAX -> "ax";
            case RBX -> "bx";
            case RCX -> "cx";
            case RDX -> "dx";
            case RSI -> "si";
            case RDI -> "di";
            case RBP -> "bp";
            case RSP -> "sp";
            case RIP -> "ip";
            default -> r.name().toLowerCase(Locale.ROOT);
          };
      offset("pt_regs." + member, r.ptRegsOffset());
    }
  }
}
