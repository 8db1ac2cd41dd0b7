package dev.dynlog.x86;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tricky encodings, each with its length worked out from the Intel SDM and, as an independent
 * check, the same bytes laid end to end decoded by {@code objdump -D -b binary}.
 */
class InstructionDecoderTest {
  /** An encoding, its expected length and what it is. */
  record Case(String hex, int length, String what) {
    byte[] bytes() {
      return HexFormat.ofDelimiter(" ").parseHex(hex);
    }

    @Override
    public String toString() {
      return what + " [" + hex + "]";
    }
  }

  static List<Case> cases() {
    return List.of(
        new Case("c3", 1, "ret"),
        new Case("c2 08 00", 3, "ret imm16"),
        new Case("f3 c3", 2, "repz ret"),
        new Case("f2 c3", 2, "bnd ret"),
        new Case("b8 c3 00 00 00", 5, "mov imm32 holding C3"),
        new Case("48 b8 c3 c3 c3 c3 c3 c3 c3 c3", 10, "REX.W mov imm64"),
        new Case("49 bf 00 00 00 00 00 00 00 80", 10, "REX.WB mov r15, imm64"),
        new Case("66 b8 c3 c3", 4, "66 mov imm16"),
        new Case("66 48 05 c3 00 00 00", 7, "REX.W wins over 66: add imm32"),
        new Case("48 8b 80 c3 00 00 00", 7, "disp32 holding C3"),
        new Case("8b 05 c3 c3 c3 c3", 6, "RIP-relative disp32"),
        new Case("8b 04 25 c3 00 00 00", 7, "SIB without base: disp32"),
        new Case("8b 44 24 c3", 4, "SIB + disp8"),
        new Case("8b 84 24 00 01 00 00", 7, "SIB + disp32"),
        new Case("41 8b 04 24", 4, "SIB base r12"),
        new Case("41 8b 45 00", 4, "[r13 + disp8]"),
        new Case("42 8b 04 ed c3 00 00 00", 8, "SIB index*8 no base"),
        new Case("48 a1 c3 c3 c3 c3 c3 c3 c3 c3", 10, "mov rax, moffs64"),
        new Case("a2 00 00 00 00 00 00 00 00", 9, "mov moffs64, al"),
        new Case("67 a1 c3 c3 c3 c3", 6, "addr32 mov eax, moffs32"),
        new Case("f6 c1 c3", 3, "F6 /0 test cl, imm8"),
        new Case("f6 d1", 2, "F6 /2 not cl: no immediate"),
        new Case("f7 c1 c3 00 00 00", 6, "F7 /0 test ecx, imm32"),
        new Case("66 f7 c1 c3 00", 5, "66 F7 /0 test cx, imm16"),
        new Case("48 f7 c0 c3 00 00 00", 7, "REX.W F7 /0 test rax, imm32"),
        new Case("f7 d8", 2, "F7 /3 neg eax"),
        new Case("f7 40 08 c3 00 00 00", 7, "F7 /0 test [rax+8], imm32"),
        new Case("c8 10 00 01", 4, "enter imm16, imm8"),
        new Case("68 c3 00 00 00", 5, "push imm32"),
        new Case("6a c3", 2, "push imm8"),
        new Case("69 c0 c3 00 00 00", 6, "imul r, r/m, imm32"),
        new Case("6b c0 c3", 3, "imul r, r/m, imm8"),
        new Case("80 3d c3 00 00 00 c3", 7, "cmp byte [rip+disp32], imm8"),
        new Case("c1 e0 03", 3, "shl imm8"),
        new Case("e8 c3 00 00 00", 5, "call rel32"),
        new Case("0f 84 c3 00 00 00", 6, "je rel32"),
        new Case("eb c3", 2, "jmp rel8"),
        new Case("e3 c3", 2, "jrcxz rel8"),
        new Case("f3 0f 1e fa", 4, "endbr64"),
        new Case("0f 1f 44 00 00", 5, "nopl disp8"),
        new Case("0f 1f 84 00 00 00 00 00", 8, "nopl disp32"),
        new Case("66 2e 0f 1f 84 00 00 00 00 00", 10, "cs nopw"),
        new Case("66 66 66 66 66 66 2e 0f 1f 84 00 00 00 00 00", 15, "15-byte nop"),
        new Case("f0 48 0f b1 0d a7 d8 13 00", 9, "lock cmpxchg RIP-relative"),
        new Case("64 48 8b 04 25 28 00 00 00", 9, "fs: mov with SIB disp32"),
        new Case("f3 48 a5", 3, "rep movsq"),
        new Case("3e ff e0", 3, "notrack jmp rax"),
        new Case("0f 20 00", 3, "mov rax, cr0: ModRM always registers"),
        new Case("c6 f8 c3", 3, "xabort imm8"),
        new Case("c7 f8 c3 00 00 00", 6, "xbegin rel32"),
        new Case("8f c0", 2, "pop r/m (8F /0)"),
        new Case("0f 0b", 2, "ud2"),
        new Case("0f 05", 2, "syscall"),
        new Case("0f a2", 2, "cpuid"),
        new Case("0f ae e8", 3, "lfence"),
        new Case("48 0f c7 0e", 4, "cmpxchg16b"),
        new Case("0f ba e0 c3", 4, "bt imm8"),
        new Case("0f a4 c1 c3", 4, "shld imm8"),
        new Case("f3 48 0f b8 c1", 5, "popcnt"),
        new Case("66 0f 3a 0f c1 c3", 6, "palignr (0F 3A, imm8)"),
        new Case("66 0f 38 00 c1", 5, "pshufb (0F 38)"),
        new Case("f2 0f 38 f1 c1", 5, "crc32"),
        new Case("66 0f 70 c1 c3", 5, "pshufd imm8"),
        new Case("66 0f 73 d8 c3", 5, "psrldq imm8 (group 14)"),
        new Case("0f c2 c1 03", 4, "cmpps imm8"),
        new Case("66 0f c5 c1 03", 5, "pextrw imm8"),
        new Case("0f 0f c1 b4", 4, "3DNow! pfmul"),
        new Case("66 0f 78 c0 04 08", 6, "extrq imm8, imm8 (SSE4a)"),
        new Case("f2 0f 78 c1 04 08", 6, "insertq imm8, imm8 (SSE4a)"),
        new Case("d9 ee", 2, "fldz"),
        new Case("dd 44 24 08", 4, "fld qword [rsp+8]"),
        new Case("db 2d c3 00 00 00", 6, "fld tbyte RIP-relative"),
        new Case("de c1", 2, "faddp"),
        new Case("9b", 1, "fwait"),
        new Case("c5 fd 6f 06", 4, "VEX2 vmovdqa ymm0, [rsi]"),
        new Case("c5 fd 74 0f", 4, "VEX2 vpcmpeqb"),
        new Case("c5 fd d7 c1", 4, "VEX2 vpmovmskb"),
        new Case("c4 e2 7d 78 c0", 5, "VEX3 vpbroadcastb (0F 38)"),
        new Case("c4 e3 7d 38 c1 01", 6, "VEX3 vinserti128 (0F 3A imm8)"),
        new Case("c4 c1 7e 7f 44 24 c3", 7, "VEX3 vmovdqu [r12-61], ymm0"),
        new Case("c5 f8 77", 3, "vzeroupper: no ModRM"),
        new Case("c5 fd 73 d8 c3", 5, "VEX vpsrldq imm8"),
        new Case("c5 f8 c2 c1 00", 5, "VEX vcmpps imm8"),
        new Case("c4 e2 f9 f7 c1", 5, "shlx (VEX 0F 38)"),
        new Case("c4 e3 fb f0 c1 c3", 6, "rorx imm8"),
        new Case("c5 f8 93 c1", 4, "kmovw eax, k1"),
        new Case("62 f1 7c 48 10 06", 6, "EVEX vmovups zmm0, [rsi]"),
        new Case("62 f1 7c 48 10 46 01", 7, "EVEX disp8*N"),
        new Case("62 f1 7c 48 10 86 c3 00 00 00", 10, "EVEX disp32"),
        new Case("62 f3 fd 48 3b c1 01", 7, "EVEX vextracti64x4 (0F 3A imm8)"),
        new Case("62 f1 7d 48 72 e0 05", 7, "EVEX vpsrad imm8 (0F group)"),
        new Case("62 f2 7d 48 7a c0", 6, "EVEX vpbroadcastb (0F 38)"),
        new Case("62 b1 7c 08 10 04 05 00 00 00 00", 11, "EVEX with SIB, no base"),
        new Case("8f e8 78 c0 c1 05", 6, "XOP vprotb imm8 (map 8)"),
        new Case("8f e9 78 80 c1", 5, "XOP vfrczps (map 9)"),
        new Case("f6 c8 c3", 3, "F6 /1 test alias, imm8"),
        new Case("f7 c8 c3 00 00 00", 6, "F7 /1 test alias, imm32"),
        new Case("66 e8 c3 00", 4, "66 call rel16 (AMD64 and objdump)"),
        new Case("66 0f 84 c3 00", 5, "66 je rel16"),
        new Case("48 e8 c3 00 00 00", 6, "REX.W call rel32"),
        new Case("66 68 c3 00", 4, "push imm16"),
        new Case("66 c7 f8 c3 00", 5, "xbegin rel16"),
        new Case("66 c2 08 00", 4, "retw imm16"),
        new Case("66 c3", 2, "retw"),
        new Case("0f 01 d0", 3, "xgetbv"),
        new Case("0f 01 f9", 3, "rdtscp"),
        new Case("0f 0d 08", 3, "prefetchw"),
        new Case("0f 18 0e", 3, "prefetcht0"),
        new Case("0f ff c0", 3, "ud0 with ModRM"),
        new Case("0f b9 c0", 3, "ud1"),
        new Case("0f c7 f8", 3, "rdseed"),
        new Case("c3", 1, "ret at the end"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void lengthMatchesTheManual(Case c) {
    byte[] code = c.bytes();
    assertEquals(c.length(), InstructionDecoder.length(code, 0), c.what());
    assertEquals(code.length, c.length(), "test case bytes hold exactly one instruction");
  }

  @Test
  @Tag("toolchain") // runs objdump; the lengths above are checked without it
  void allCasesLaidEndToEndAgreeWithObjdump(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    List<Long> expected = new ArrayList<>();
    for (Case c : cases()) {
      expected.add((long) all.size());
      all.writeBytes(c.bytes());
    }
    Path raw = dir.resolve("code.bin");
    Files.write(raw, all.toByteArray());
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
    String listing = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), "objdump failed:\n" + listing);
    List<Long> objdump = new ArrayList<>();
    listing
        .lines()
        .filter(l -> l.contains(":\t"))
        .forEach(
            line -> {
              long address = Long.parseLong(line.substring(0, line.indexOf(':')).trim(), 16);
              objdump.add(address);
              if (line.split("\t")[1].trim().startsWith("9b ")) {
                objdump.add(address + 1); // objdump shows FWAIT with the next x87 instruction
              }
            });
    assertFalse(listing.contains("(bad)"), listing);
    assertEquals(expected, objdump, "objdump's instruction starts:\n" + listing);
    long[] decoded = InstructionDecoder.boundaries(all.toByteArray(), 0);
    assertEquals(expected, Arrays.stream(decoded).boxed().toList());
  }

  @Test
  void boundariesAreAbsoluteAddresses() {
    byte[] code = HexFormat.of().parseHex("554889e5b8c30000005dc3");
    assertArrayEquals(
        new long[] {0x401000, 0x401001, 0x401004, 0x401009, 0x40100a},
        InstructionDecoder.boundaries(code, 0x401000));
  }

  @Test
  void decodeReportsOpcodeMapAndBranchTarget() {
    byte[] code = HexFormat.of().parseHex("90eb02c5fd6f0666c3");
    Instruction jmp = InstructionDecoder.decode(code, 1, 0x1000);
    assertEquals(0x1001, jmp.address());
    assertEquals(0x1005, jmp.branchTarget());
    Instruction back =
        InstructionDecoder.decode(HexFormat.of().parseHex("0f84faffffff"), 0, 0x2000);
    assertEquals(0x2000, back.branchTarget(), "je rel32 -6 jumps to itself");
    Instruction vmov = InstructionDecoder.decode(code, 3, 0x1000);
    assertEquals(OpcodeMap.VEX, vmov.map());
    assertEquals(1, vmov.vexMap());
    assertEquals(0x6F, vmov.opcode());
    assertFalse(vmov.isDirectBranch());
    assertTrue(
        InstructionDecoder.decode(code, 7, 0x1000).isReturn(), "66 C3 is a (16-bit) near return");
  }

  @Test
  void rexIsIgnoredWhenALegacyPrefixFollowsIt() {
    // REX must come right before the opcode: here 66 follows it, so B8 takes an imm16.
    assertEquals(5, InstructionDecoder.length(HexFormat.of().parseHex("4866b8c3c3"), 0));
  }

  @Test
  void instructionsInvalidIn64BitModeAreRejectedWithAddressAndBytes() {
    for (String hex :
        List.of(
            "06", "07", "0e", "16", "17", "1e", "1f", "27", "2f", "37", "3f", "60", "61", "82c001",
            "9a", "ce", "d40a", "d50a", "d6", "ea", "0f04", "0f0a", "0f24c0", "0f36", "0f39")) {
      byte[] code = HexFormat.of().parseHex("90" + hex + "000000000000");
      InstructionDecodeException e =
          assertThrows(
              InstructionDecodeException.class,
              () -> InstructionDecoder.boundaries(code, 0x400000),
              hex);
      assertEquals(0x400001, e.address(), hex);
      assertTrue(
          e.getMessage().contains("0x400001") && e.getMessage().contains("invalid in 64-bit mode"),
          e.getMessage());
      assertTrue(e.getMessage().contains(hex.substring(0, 2)), e.getMessage());
    }
  }

  @Test
  void longerThanFifteenBytesIsRejected() {
    byte[] code =
        HexFormat.ofDelimiter(" ").parseHex("66 66 66 66 66 66 66 2e 0f 1f 84 00 00 00 00 00");
    InstructionDecodeException e =
        assertThrows(InstructionDecodeException.class, () -> InstructionDecoder.length(code, 0));
    assertTrue(e.getMessage().contains("longer than 15 bytes"), e.getMessage());
    assertEquals(15, e.bytes().length);
  }

  @Test
  void truncatedInstructionIsRejected() {
    byte[] code = HexFormat.of().parseHex("90" + "48b8c3c3");
    InstructionDecodeException e =
        assertThrows(
            InstructionDecodeException.class, () -> InstructionDecoder.boundaries(code, 0x1000));
    assertEquals(0x1001, e.address());
    assertTrue(
        e.getMessage().contains("truncated") && e.getMessage().contains("48 b8 c3 c3"),
        e.getMessage());
    assertThrows(
        InstructionDecodeException.class, () -> InstructionDecoder.length(new byte[] {0x66}, 0));
  }

  @Test
  void undefinedVectorMapsAndMisplacedPrefixesAreRejected() {
    for (String hex :
        List.of(
            "c4e07d10c0",
            "c4e47d10c0",
            "62f07c481006",
            "62f47c481006",
            "62f178481006" /* P1[2] clear */,
            "66c5fd6f06",
            "f3c5fd6f06",
            "48c5fd6f06",
            "8fe078c0c105")) {
      assertThrows(
          InstructionDecodeException.class,
          () -> InstructionDecoder.length(HexFormat.of().parseHex(hex + "0000000000"), 0),
          hex);
    }
  }
}
