package dev.dynlog.dwarf;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** readelf as an oracle for the DWARF tests (build-ids, debug links). */
final class ElfReadelfOracle {
  private ElfReadelfOracle() {}

  static String buildId(Path binary) throws Exception {
    String notes = run("readelf", "-n", binary.toString());
    Matcher m = Pattern.compile("Build ID: ([0-9a-f]+)").matcher(notes);
    if (!m.find()) throw new AssertionError(binary + " has no build-id:\n" + notes);
    return m.group(1);
  }

  static String run(String... cmd) throws Exception {
    Path out = Files.createTempFile("readelf", ".txt");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + String.join(" ", cmd));
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) throw new AssertionError("exit " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + text);
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
