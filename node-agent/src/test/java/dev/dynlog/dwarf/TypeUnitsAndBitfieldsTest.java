package dev.dynlog.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.symbols.Function;
import dev.dynlog.types.Type;
import dev.dynlog.types.Type.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Layouts read through type units (DWARF 4 {@code .debug_types} and DWARF 5 type units, reached by
 * DW_FORM_ref_sig8), the 64-bit DWARF format, and bit-fields (DWARF 4 DW_AT_bit_offset and DWARF 5
 * DW_AT_data_bit_offset) must match what the compiled program itself prints with sizeof/offsetof
 * and by probing its bit-fields in memory.
 */
@Tag("toolchain")
class TypeUnitsAndBitfieldsTest {
  private static final String SOURCE =
      """
      #include <cstdio>
      #include <cstddef>
      #include <cstring>
      namespace geo {
      struct Point { int x; long y; char tag[3]; double w; };
      struct Box { Point lo, hi; unsigned flags : 3; unsigned kind : 5; int depth : 9; Box* next; };
      }
      __attribute__((noinline)) long area(const geo::Box& b, geo::Point* p, int n) {
        return b.hi.x - b.lo.x + (p ? p->y : 0) + n;
      }
      static void bits(const char* name, void (*set)(geo::Box&)) {
        geo::Box b; memset(&b, 0, sizeof b); set(b);
        const unsigned char* m = (const unsigned char*)&b; int first = -1, count = 0;
        for (size_t i = 0; i < sizeof b * 8; i++) if (m[i / 8] >> (i % 8) & 1) { if (first < 0) first = (int)i; count++; }
        printf("%s %d %d\\n", name, first, count);
      }
      int main() {
        printf("Point %zu x %zu y %zu tag %zu w %zu\\n", sizeof(geo::Point), offsetof(geo::Point, x), offsetof(geo::Point, y),
               offsetof(geo::Point, tag), offsetof(geo::Point, w));
        printf("Box %zu lo %zu hi %zu next %zu\\n", sizeof(geo::Box), offsetof(geo::Box, lo), offsetof(geo::Box, hi),
               offsetof(geo::Box, next));
        bits("flags", [](geo::Box& b) { b.flags = 7; });
        bits("kind", [](geo::Box& b) { b.kind = 31; });
        bits("depth", [](geo::Box& b) { b.depth = -1; });
        geo::Box b{}; geo::Point p{};
        return (int)area(b, &p, 1) - 1;
      }
      """;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "g++ -gdwarf-4",
        "g++ -gdwarf-4 -fdebug-types-section",
        "g++ -gdwarf-5 -fdebug-types-section",
        "clang++-14 -gdwarf-4",
        "clang++-14 -gdwarf-5 -fdebug-types-section",
        "clang++-14 -gdwarf-4 -fdebug-types-section",
        "g++ -gdwarf-5 -gdwarf64",
        "clang++-14 -gdwarf-5 -gdwarf64"
      })
  void layoutsMatchTheProgram(String compiler) throws Exception {
    Path src = dir.resolve("geo.cpp");
    Files.writeString(src, SOURCE);
    Path bin = dir.resolve("geo");
    List<String> cmd = new ArrayList<>(List.of(compiler.split(" ")));
    cmd.addAll(List.of("-O1", "-o", bin.toString(), src.toString()));
    run(cmd);
    Map<String, long[]> truth = new HashMap<>();
    for (String line : run(List.of(bin.toString())).lines().toList()) {
      String[] f = line.split(" ");
      long[] v = new long[f.length - 1];
      for (int i = 1; i < f.length; i++)
        v[i - 1] = f[i].matches("-?\\d+") ? Long.parseLong(f[i]) : -1;
      truth.put(f[0], v);
    }
    try (DwarfBinary b = DwarfBinary.open(bin)) {
      Type point = b.type("geo::Point").orElseThrow().stripped();
      assertEquals(truth.get("Point")[0], point.size());
      assertEquals(
          List.of(
              truth.get("Point")[2],
              truth.get("Point")[4],
              truth.get("Point")[6],
              truth.get("Point")[8]),
          point.members().stream().map(Type.Member::offset).toList());
      assertEquals(3, point.member("tag").type().count());

      Function area = b.lookup("area").get(0);
      assertEquals("const geo::Box &", area.parameters().get(0).type().displayName());
      Type box = area.parameters().get(0).type().target().stripped();
      assertFalse(box.declarationOnly(), "the definition is found (type unit or other unit)");
      assertEquals(truth.get("Box")[0], box.size());
      assertEquals(truth.get("Box")[2], box.member("lo").offset());
      assertEquals(truth.get("Box")[4], box.member("hi").offset());
      assertEquals(truth.get("Box")[6], box.member("next").offset());
      assertEquals(Kind.POINTER, box.member("next").type().kind());
      Type self = box.member("next").type().target().stripped();
      assertEquals("geo::Box", self.name(), "self pointer");
      assertEquals(
          box.members().size(), self.members().size(), "self pointer resolves to the full struct");
      for (String field : List.of("flags", "kind", "depth")) {
        Type.Member m = box.member(field);
        assertTrue(m.isBitField(), field);
        assertEquals(truth.get(field)[0], m.offset() * 8 + m.bitOffset(), field + " first bit");
        assertEquals(truth.get(field)[1], m.bitSize(), field + " bits");
      }
      assertEquals("geo::Point *", area.parameters().get(1).type().displayName());
    }
  }

  private static String run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "timed out: " + cmd);
    assertEquals(0, p.exitValue(), cmd + ":\n" + out);
    return out;
  }
}
