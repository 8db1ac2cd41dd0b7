package dev.dynlog.x86;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dynlog.testing.Testdata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Quick tier: {@link InstructionDecoder}'s instruction starts and {@link ReturnFinder}'s RETs on
 * the checked-in fixtures against the {@code objdump -d -z --insn-width=16} listing stored with
 * each (whole binaries for C and C++; for Go the main package and every assembly function, whose
 * AVX, AES-NI and SSE code covers much of the opcode space), block by block as {@link
 * ObjdumpOracleTest} does on freshly built binaries. A block where objdump shows {@code (bad)} is
 * compared up to that line and ReturnFinder must refuse it.
 */
class ObjdumpFixtureTest {

  static List<Testdata> fixtures() {
    return Testdata.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void instructionBoundariesAndRetsAgreeWithObjdump(Testdata t) throws Exception {
    Map<String, ExecutableSections.Section> sections =
        ExecutableSections.read(t.binary()).stream()
            .collect(Collectors.toMap(ExecutableSections.Section::name, Function.identity()));
    List<String> failures = new ArrayList<>();
    long[] counts = new long[3]; // instructions, blocks, rets
    ObjdumpListing.parse(
        t.objdump(),
        block -> {
          String why = compare(block, sections.get(block.section()), counts);
          if (why != null) failures.add(block.symbol() + ": " + why);
        });
    System.out.printf(
        "x86 fixture %-10s %7d instructions in %4d blocks, %4d rets%n",
        t, counts[0], counts[1], counts[2]);
    if (!failures.isEmpty()) {
      fail(
          failures.size()
              + " disagreement(s) with objdump in "
              + t
              + ":\n  "
              + String.join("\n  ", failures.subList(0, Math.min(10, failures.size()))));
    }
    assertTrue(
        counts[0] > (t.go() ? 2000 : 100), "objdump listed only " + counts[0] + " instructions");
    assertTrue(counts[2] >= 10, "rets found: " + counts[2]);
  }

  /** Why the decoder disagrees with objdump on one block, or null when it agrees. */
  private static String compare(
      ObjdumpListing.Block block, ExecutableSections.Section section, long[] counts) {
    if (section == null || !section.contains(block.start(), block.end())) {
      return "objdump block [0x"
          + Long.toHexString(block.start())
          + ", 0x"
          + Long.toHexString(block.end())
          + ") is outside the executable section "
          + block.section();
    }
    boolean bad = block.badAddress() >= 0;
    long limit = bad ? block.badAddress() : block.end();
    int from = (int) (block.start() - section.address());
    int to = (int) (limit - section.address());
    long[] expectedStarts = Arrays.stream(block.starts()).filter(a -> a < limit).toArray();
    long[] starts;
    try {
      starts = InstructionDecoder.boundaries(section.bytes(), from, to, section.address());
    } catch (InstructionDecodeException e) {
      return "decoder failed at 0x"
          + Long.toHexString(e.address())
          + " where objdump decoded: "
          + e.getMessage();
    }
    if (!Arrays.equals(starts, expectedStarts)) {
      int i = 0;
      while (i < starts.length && i < expectedStarts.length && starts[i] == expectedStarts[i]) i++;
      return "instruction starts differ after 0x"
          + (i == 0 ? "start" : Long.toHexString(starts[i - 1]))
          + " (decoder "
          + hex(starts, i)
          + ", objdump "
          + hex(expectedStarts, i)
          + ")";
    }
    if (bad) {
      try {
        List<Long> guessed =
            ReturnFinder.rets(
                section.bytes(), from, (int) (block.end() - section.address()), section.address());
        return "objdump says (bad) but ReturnFinder accepted the block and found rets "
            + guessed
            + ": "
            + block.badLine();
      } catch (InstructionDecodeException expected) {
        counts[0] += starts.length;
        return null;
      }
    }
    List<Long> rets;
    try {
      rets = ReturnFinder.rets(section.bytes(), from, to, section.address());
    } catch (InstructionDecodeException e) {
      return "ReturnFinder refused code objdump decoded: " + e.getMessage();
    }
    List<Long> expectedRets = Arrays.stream(block.rets()).boxed().toList();
    if (!rets.equals(expectedRets)) {
      return "rets differ: decoder "
          + rets.stream().map(Long::toHexString).toList()
          + ", objdump "
          + expectedRets.stream().map(Long::toHexString).toList();
    }
    counts[0] += starts.length;
    counts[1]++;
    counts[2] += rets.size();
    return null;
  }

  private static String hex(long[] values, int index) {
    return index < values.length ? "0x" + Long.toHexString(values[index]) : "end";
  }
}
