package dev.dynlog.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.dynlog.testing.Tools;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link UprobeMulti}'s constants and attribute offsets against the running kernel's own BTF
 * ({@code /sys/kernel/btf/vmlinux}, as {@code bpftool btf dump file} prints it): {@code union
 * bpf_attr}'s {@code link_create.uprobe_multi} member by member, and the enum values.
 */
@Tag("toolchain")
class UprobeMultiLayoutTest {
  private static final String VMLINUX = "/sys/kernel/btf/vmlinux";

  /** A type of the dump: its name and, for structs and unions, member name → (type id, bits). */
  private record Type(String name, Map<String, long[]> members, List<long[]> anonymous) {}

  private static final Map<Long, Type> TYPES = new HashMap<>();
  private static final Map<String, Long> ENUMERATORS = new HashMap<>();
  private static final Map<String, Long> IDS = new HashMap<>();

  @BeforeAll
  static void dumpBtf() throws Exception {
    String out = Tools.run("bpftool", "btf", "dump", "file", VMLINUX);
    Pattern type = Pattern.compile("^\\[(\\d+)\\] (\\w+) '([\\w()]+)'");
    Pattern member = Pattern.compile("^\\s+'([\\w()]+)' type_id=(\\d+) bits_offset=(\\d+)");
    Pattern enumerator = Pattern.compile("^\\s+'(\\w+)' val=(-?\\d+)");
    Type current = null;
    for (String line : out.split("\n")) {
      Matcher t = type.matcher(line);
      if (t.find()) {
        current = new Type(t.group(3), new LinkedHashMap<>(), new ArrayList<>());
        long id = Long.parseLong(t.group(1));
        TYPES.put(id, current);
        if (t.group(2).equals("UNION") || t.group(2).equals("STRUCT"))
          IDS.putIfAbsent(t.group(2) + " " + t.group(3), id);
        continue;
      }
      Matcher m = member.matcher(line);
      if (m.find() && current != null) {
        long[] v = {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
        if (m.group(1).equals("(anon)")) current.anonymous().add(v);
        else current.members().put(m.group(1), v);
        continue;
      }
      Matcher e = enumerator.matcher(line);
      if (e.find()) ENUMERATORS.putIfAbsent(e.group(1), new BigInteger(e.group(2)).longValue());
    }
  }

  private static long[] member(Type t, String name) {
    long[] m = t.members().get(name);
    assertNotNull(m, t.name() + " has no member " + name + ": " + t.members().keySet());
    return m;
  }

  @Test
  void enumValuesAreTheKernels() {
    assertEquals(UprobeMulti.BPF_LINK_CREATE, ENUMERATORS.get("BPF_LINK_CREATE"));
    assertEquals(UprobeMulti.BPF_TRACE_UPROBE_MULTI, ENUMERATORS.get("BPF_TRACE_UPROBE_MULTI"));
    assertEquals(
        UprobeMulti.BPF_F_UPROBE_MULTI_RETURN, ENUMERATORS.get("BPF_F_UPROBE_MULTI_RETURN"));
  }

  @Test
  void linkCreateOffsetsAreTheKernels() {
    Long attrId = IDS.get("UNION bpf_attr");
    assertNotNull(attrId, "no union bpf_attr in " + VMLINUX);
    long[] linkCreate = member(TYPES.get(attrId), "link_create");
    assertEquals(0, linkCreate[1], "link_create is at the start of bpf_attr");
    Type lc = TYPES.get(linkCreate[0]);
    assertEquals(UprobeMulti.ATTR_ATTACH_TYPE * 8L, member(lc, "attach_type")[1]);
    assertEquals(UprobeMulti.ATTR_FLAGS * 8L, member(lc, "flags")[1]);
    // the anonymous members: prog_fd/map_fd, target_fd/target_ifindex, then the per-type union
    List<long[]> anon = lc.anonymous();
    assertEquals(3, anon.size(), "anonymous members of link_create");
    assertEquals(UprobeMulti.ATTR_PROG_FD * 8L, anon.get(0)[1]);
    assertEquals(UprobeMulti.ATTR_TARGET_FD * 8L, anon.get(1)[1]);
    long unionBits = anon.get(2)[1];
    long[] um = member(TYPES.get(anon.get(2)[0]), "uprobe_multi");
    Type multi = TYPES.get(um[0]);
    long base = unionBits + um[1];
    assertEquals(UprobeMulti.ATTR_PATH * 8L, base + member(multi, "path")[1]);
    assertEquals(UprobeMulti.ATTR_OFFSETS * 8L, base + member(multi, "offsets")[1]);
    assertEquals(UprobeMulti.ATTR_REF_CTR_OFFSETS * 8L, base + member(multi, "ref_ctr_offsets")[1]);
    assertEquals(UprobeMulti.ATTR_COOKIES * 8L, base + member(multi, "cookies")[1]);
    assertEquals(UprobeMulti.ATTR_CNT * 8L, base + member(multi, "cnt")[1]);
    assertEquals(UprobeMulti.ATTR_MULTI_FLAGS * 8L, base + member(multi, "flags")[1]);
    assertEquals(UprobeMulti.ATTR_PID * 8L, base + member(multi, "pid")[1]);
    assertEquals(
        List.of("path", "offsets", "ref_ctr_offsets", "cookies", "cnt", "flags", "pid"),
        List.copyOf(multi.members().keySet()),
        "members of link_create.uprobe_multi");
  }
}
