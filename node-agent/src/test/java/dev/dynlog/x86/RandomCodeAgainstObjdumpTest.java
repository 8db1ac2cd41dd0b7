package dev.dynlog.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test on random bytes: compilers use a small part of the opcode space, so random
 * sequences (biased towards the escape bytes 0F, 0F 38, 0F 3A, VEX, EVEX, and prefixes) reach the
 * rest. Wherever objdump decodes an instruction, the decoder must find the same length, except in
 * three documented objdump habits: it shows a REX prefix that a legacy prefix follows as a line of
 * its own, it accepts 66/F2/F3/F0/REX before VEX/EVEX/XOP (the CPU raises #UD), and it joins FWAIT
 * with the next x87 instruction. Every other start offset must decode or raise {@link
 * InstructionDecodeException}, never another exception.
 */
@Tag("toolchain")
class RandomCodeAgainstObjdumpTest {
  private static final int[][] LEADS = {
    {0x0F},
    {0x0F, 0x38},
    {0x0F, 0x3A},
    {0xC4},
    {0xC5},
    {0x62},
    {0x66},
    {0x48},
    {0xF3, 0x0F},
    {0x66, 0x0F},
    {0xF2, 0x0F},
    {0x66, 0x0F, 0x38},
    {0x66, 0x0F, 0x3A},
    {0xD9},
    {0x8F}
  };

  @Test
  void lengthsAgreeWithObjdumpOnRandomCode(@TempDir Path dir) throws Exception {
    Random random = new Random(20261126);
    int slots = 20_000;
    byte[] code = new byte[slots * 16];
    random.nextBytes(code);
    for (int slot = 0; slot < slots; slot++) {
      int lead = random.nextInt(LEADS.length + 4);
      for (int i = 0; lead < LEADS.length && i < LEADS[lead].length; i++) {
        code[slot * 16 + i] = (byte) LEADS[lead][i];
      }
    }
    Path raw = dir.resolve("random.bin");
    Files.write(raw, code);
    Process p =
        new ProcessBuilder(
                "objdump",
                "-D",
                "-z",
                "-b",
                "binary",
                "-m",
                "i386:x86-64",
                "--insn-width=16",
                raw.toString())
            .redirectErrorStream(true)
            .start();
    List<String> lines =
        new String(p.getInputStream().readAllBytes())
            .lines()
            .filter(l -> l.contains(":\t"))
            .toList();
    assertEquals(0, p.waitFor(), "objdump failed");

    int compared = 0;
    List<String> disagreements = new ArrayList<>();
    for (String line : lines) {
      String[] columns = line.split("\t");
      if (columns.length < 3) {
        continue;
      }
      String bytes = columns[1].trim();
      String text = columns[2].trim();
      String[] words = text.split(" +");
      if (text.contains("(bad)")
          || text.startsWith(".byte")
          || words[words.length - 1].startsWith("rex")
          || bytes.matches("([0-9a-f]{2} )*9b .*")) {
        continue;
      }
      int offset = Integer.parseInt(line.substring(0, line.indexOf(':')).trim(), 16);
      if (prefixedVectorEscape(code, offset)) {
        continue;
      }
      int expected = bytes.split(" +").length;
      compared++;
      try {
        int length = InstructionDecoder.length(code, offset);
        if (length != expected) {
          disagreements.add("length " + length + " for " + line);
        }
      } catch (InstructionDecodeException e) {
        disagreements.add(e.getMessage() + " for " + line);
      }
    }
    System.out.printf("x86 random code: %d objdump instructions compared%n", compared);
    if (!disagreements.isEmpty()) {
      fail(
          disagreements.size()
              + " disagreements with objdump:\n"
              + String.join("\n", disagreements.subList(0, Math.min(20, disagreements.size()))));
    }
    assertTrue(compared > 60_000, "only " + compared + " instructions compared");
  }

  @Test
  void everyOffsetOfRandomCodeDecodesOrRaisesDecodeException() {
    Random random = new Random(7);
    byte[] code = new byte[200_000];
    random.nextBytes(code);
    int decoded = 0;
    int rejected = 0;
    for (int offset = 0; offset < code.length; offset++) {
      try {
        int length = InstructionDecoder.length(code, offset);
        assertTrue(length >= 1 && length <= InstructionDecoder.MAX_LENGTH);
        decoded++;
      } catch (InstructionDecodeException e) {
        rejected++;
      }
    }
    assertTrue(decoded > rejected, decoded + " decoded, " + rejected + " rejected");
  }

  /** Whether the instruction at {@code at} has 66/F2/F3/F0/REX before a C4/C5/62/8F byte. */
  private static boolean prefixedVectorEscape(byte[] code, int at) {
    boolean prefixed = false;
    for (int i = at; i < code.length; i++) {
      int b = code[i] & 0xFF;
      switch (b) {
        case 0x66, 0xF0, 0xF2, 0xF3 -> prefixed = true;
        case 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x67 -> {}
        default -> {
          if ((b & 0xF0) == 0x40) {
            prefixed = true;
            continue;
          }
          return prefixed && (b == 0xC4 || b == 0xC5 || b == 0x62 || b == 0x8F);
        }
      }
    }
    return false;
  }
}
