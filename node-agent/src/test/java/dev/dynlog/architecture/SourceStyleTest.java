package dev.dynlog.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the formatter does not do: code (of all three modules) names classes by their imported
 * simple names, not by inline fully qualified names such as {@code java.util.ArrayList} (Javadoc
 * links may).
 */
class SourceStyleTest {

  private static final Pattern QUALIFIED =
      Pattern.compile(
          "(?<![\\w.\"])(?:java|javax|com|dev|picocli|io|org)\\.(?:[a-z_][a-z0-9_]*\\.)+[A-Z]\\w*");

  @Test
  void noInlineFullyQualifiedNames() throws IOException {
    List<String> found = new ArrayList<>();
    for (String module : List.of(".", "../api", "../operator")) {
      for (String dir : List.of("src/main/java", "src/test/java")) {
        Path root = Path.of(module, dir);
        if (Files.isDirectory(root)) scan(root, found);
      }
    }
    assertTrue(found.isEmpty(), "import these instead:\n" + String.join("\n", found));
  }

  private static void scan(Path root, List<String> found) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(f);
        boolean comment = false;
        for (int i = 0; i < lines.size(); i++) {
          String s = lines.get(i).strip();
          if (s.startsWith("/*")) comment = true;
          if (comment) {
            if (s.contains("*/")) comment = false;
            continue;
          }
          if (s.startsWith("import ") || s.startsWith("package ") || s.startsWith("//")) continue;
          String code = s.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
          if (QUALIFIED.matcher(code).find()) found.add(f + ":" + (i + 1) + ": " + s);
        }
      }
    }
  }
}
