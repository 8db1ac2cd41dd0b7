package dev.dynlog.integration;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples out of Prometheus text exposition (what the agent's /metrics serves). */
final class Prometheus {

  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private Prometheus() {}

  /**
   * The sum of the samples of metric {@code name} whose labels include all of {@code labels}; NaN
   * when there is none.
   */
  static double sum(String text, String name, Map<String, String> labels) {
    double sum = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) continue;
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String metric = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
      if (!metric.equals(name)) continue;
      Map<String, String> have = new LinkedHashMap<>();
      if (brace >= 0) {
        Matcher m = LABEL.matcher(line.substring(brace, line.lastIndexOf('}')));
        while (m.find()) have.put(m.group(1), m.group(2));
      }
      if (!have.entrySet().containsAll(labels.entrySet())) continue;
      sum += Double.parseDouble(line.substring(space + 1));
      found = true;
    }
    return found ? sum : Double.NaN;
  }
}
