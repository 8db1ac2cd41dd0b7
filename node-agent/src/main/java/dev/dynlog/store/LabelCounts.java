package dev.dynlog.store;

import dev.dynlog.trace.Row;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Rows counted per combination of the values of a tracepoint's declared label captures. Each label
 * keeps at most {@link LabelSpec#maxValues()} distinct values; later values count under {@link
 * LabelSpec#OTHER}, so the number of combinations is bounded by the product of the caps (plus
 * "other" and "unreadable" per label). Values are rendered as short strings (numbers in plain
 * decimal, strings cut to {@link #MAX_VALUE_LENGTH} characters, objects as "object").
 */
public final class LabelCounts {

  /** Longest label value kept; longer values are cut. */
  public static final int MAX_VALUE_LENGTH = 64;

  private final List<LabelSpec> specs;
  private final List<Set<String>> seen = new ArrayList<>();
  private final Map<List<String>, LongAdder> counts = new ConcurrentHashMap<>();

  LabelCounts(List<LabelSpec> specs) {
    this.specs = List.copyOf(specs);
    for (int i = 0; i < specs.size(); i++) seen.add(ConcurrentHashMap.newKeySet());
  }

  /** The declared labels, in the order of each key's values. */
  public List<LabelSpec> specs() {
    return specs;
  }

  void count(Row row) {
    List<String> key = new ArrayList<>(specs.size());
    for (int i = 0; i < specs.size(); i++)
      key.add(capped(i, labelValue(row, specs.get(i).capture())));
    counts.computeIfAbsent(List.copyOf(key), k -> new LongAdder()).increment();
  }

  private String capped(int label, String value) {
    if (value.equals(LabelSpec.OTHER) || value.equals(LabelSpec.UNREADABLE)) return value;
    Set<String> values = seen.get(label);
    if (values.contains(value)) return value;
    synchronized (values) {
      if (values.contains(value)) return value;
      if (values.size() >= specs.get(label).maxValues()) return LabelSpec.OTHER;
      values.add(value);
      return value;
    }
  }

  private static String labelValue(Row row, String capture) {
    Map<String, Object> captures = row.captures();
    if (captures == null || !captures.containsKey(capture)) return LabelSpec.UNREADABLE;
    if (row.errors() != null && row.errors().containsKey(capture)) return LabelSpec.UNREADABLE;
    Object v = captures.get(capture);
    String s;
    if (v == null) {
      s = "null";
    } else if (v instanceof Double d) {
      s =
          Double.isFinite(d)
              ? BigDecimal.valueOf(d).stripTrailingZeros().toPlainString()
              : d.toString();
    } else if (v instanceof Map || v instanceof List) {
      s = "object";
    } else {
      s = v.toString();
    }
    return s.length() > MAX_VALUE_LENGTH ? s.substring(0, MAX_VALUE_LENGTH) : s;
  }

  /** Label values (in {@link #specs()} order) → rows. */
  public Map<List<String>, Long> snapshot() {
    Map<List<String>, Long> out = new LinkedHashMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
