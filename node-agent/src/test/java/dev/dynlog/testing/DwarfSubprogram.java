package dev.dynlog.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A subprogram as {@code llvm-dwarfdump --show-children} prints it: its name, whether it is a
 * concrete function (has {@code DW_AT_low_pc}), and its direct formal parameters in order.
 *
 * @param name the DW_AT_name, or DW_AT_linkage_name when there is no name, or "" when neither
 * @param concrete whether the DIE has a low_pc (code of its own, not only an abstract or
 *     declaration DIE)
 * @param parameters the formal parameters, in order
 */
public record DwarfSubprogram(String name, boolean concrete, List<Parameter> parameters) {
  /**
   * One formal parameter.
   *
   * @param name its DW_AT_name, or "" when unnamed
   * @param result whether DW_AT_variable_parameter is set (Go results)
   */
  public record Parameter(String name, boolean result) {}

  private static final Pattern DIE = Pattern.compile("^0x[0-9a-f]+:( +)(\\S+)");
  private static final Pattern ATTR = Pattern.compile("^\\s+(DW_AT_\\w+)\\s+\\((.*)\\)\\s*$");

  /** Parses every top-level DW_TAG_subprogram of an {@code llvm-dwarfdump --show-children} dump. */
  public static List<DwarfSubprogram> parse(String dump) {
    List<DwarfSubprogram> all = new ArrayList<>();
    Builder sub = null;
    Builder.Param param = null;
    int depth = -1;
    for (String line : dump.lines().toList()) {
      Matcher die = DIE.matcher(line);
      if (die.find()) {
        depth = (die.group(1).length() - 1) / 2;
        String tag = die.group(2);
        if (depth == 0) {
          if (sub != null) {
            all.add(sub.build());
          }
          sub = tag.equals("DW_TAG_subprogram") ? new Builder() : null;
          param = null;
        } else if (depth == 1 && sub != null && tag.equals("DW_TAG_formal_parameter")) {
          param = sub.addParam();
        } else {
          param = null;
        }
        continue;
      }
      Matcher attr = ATTR.matcher(line);
      if (!attr.find() || sub == null) {
        continue;
      }
      String key = attr.group(1);
      String value = unquote(attr.group(2));
      if (depth == 0) {
        switch (key) {
          case "DW_AT_name" -> sub.name = value;
          case "DW_AT_linkage_name" -> sub.linkageName = value;
          case "DW_AT_low_pc" -> sub.concrete = true;
          default -> {}
        }
      } else if (depth == 1 && param != null) {
        switch (key) {
          case "DW_AT_name" -> param.name = value;
          case "DW_AT_variable_parameter" -> param.result = !value.equals("0x00");
          default -> {}
        }
      }
    }
    if (sub != null) {
      all.add(sub.build());
    }
    return all;
  }

  /** The parameter names that are not results, in order. */
  public List<String> argumentNames() {
    return parameters.stream().filter(p -> !p.result()).map(Parameter::name).toList();
  }

  /** The result names (Go), in order. */
  public List<String> resultNames() {
    return parameters.stream().filter(Parameter::result).map(Parameter::name).toList();
  }

  private static String unquote(String v) {
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
        ? v.substring(1, v.length() - 1)
        : v;
  }

  private static final class Builder {
    String name;
    String linkageName;
    boolean concrete;
    final List<Param> params = new ArrayList<>();

    Param addParam() {
      Param p = new Param();
      params.add(p);
      return p;
    }

    DwarfSubprogram build() {
      String n = name != null ? name : linkageName != null ? linkageName : "";
      return new DwarfSubprogram(
          n,
          concrete,
          params.stream().map(p -> new Parameter(p.name == null ? "" : p.name, p.result)).toList());
    }

    static final class Param {
      String name;
      boolean result;
    }
  }
}
