package dev.dynlog.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A minimal reader of the Prometheus text format, for tests: samples with their labels. */
public final class PromText {

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern LINE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+\\d+)?");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final List<Sample> samples = new ArrayList<>();
  private final Map<String, String> types = new LinkedHashMap<>();

  public PromText(String text) {
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] p = line.split(" ");
        types.put(p[2], p[3]);
        continue;
      }
      if (line.isBlank() || line.startsWith("#")) continue;
      Matcher m = LINE.matcher(line);
      if (!m.matches()) throw new IllegalArgumentException("not a sample line: " + line);
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find())
          labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
      }
      samples.add(
          new Sample(
              m.group(1), labels, Double.parseDouble(m.group(3).replace("+Inf", "Infinity"))));
    }
  }

  public List<Sample> samples() {
    return samples;
  }

  /** Metric family name → type, from the TYPE lines. */
  public Map<String, String> types() {
    return types;
  }

  /** Every sample name (with _bucket/_count/_sum/_total suffixes as exposed). */
  public Set<String> sampleNames() {
    Set<String> names = new TreeSet<>();
    for (Sample s : samples) names.add(s.name());
    return names;
  }

  /**
   * The value of the one sample with this name whose labels include {@code labels} (k, v, k, v...).
   */
  public double value(String name, String... labels) {
    List<Sample> found = find(name, labels);
    if (found.size() != 1)
      throw new AssertionError(
          "want 1 sample " + name + " " + List.of(labels) + ", found " + found);
    return found.get(0).value();
  }

  /** The samples with this name whose labels include {@code labels}. */
  public List<Sample> find(String name, String... labels) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      if (!s.name().equals(name)) continue;
      boolean all = true;
      for (int i = 0; i < labels.length; i += 2) {
        if (!labels[i + 1].equals(s.labels().get(labels[i]))) all = false;
      }
      if (all) out.add(s);
    }
    return out;
  }
}
