package dev.dynlog.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RET detection on hand-made code whose expected RETs follow from the instruction lengths. */
class ReturnFinderTest {
  private static byte[] code(String hex) {
    return HexFormat.ofDelimiter(" ").parseHex(hex);
  }

  @Test
  void c3BytesInsideImmediatesAndDisplacementsAreNotReturns() {
    byte[] code =
        code(
            "b8 c3 00 00 00 48 8b 80 c3 00 00 00 48 b8 c3 c3 c3 c3 c3 c3 c3 c3"
                + " f6 c1 c3 8b 05 c3 c3 c3 c3 c3");
    assertEquals(List.of(0x40101fL), ReturnFinder.rets(code, 0x401000));
  }

  @Test
  void everyNearReturnFormIsFound() {
    // ret; ret 8; repz ret; bnd ret; lret (far, not reported); ret
    byte[] code = code("c3 c2 08 00 f3 c3 f2 c3 cb c3");
    assertEquals(List.of(0x10L, 0x11L, 0x14L, 0x16L, 0x19L), ReturnFinder.rets(code, 0x10));
  }

  @Test
  void eachRangeOfASplitFunctionIsSearchedSeparately() {
    byte[] text = code("55 48 89 e5 5d c3 cc cc 0f 1f 00 b8 01 00 00 00 c3");
    assertEquals(List.of(0x1005L), ReturnFinder.rets(text, 0, 6, 0x1000));
    assertEquals(List.of(0x1010L), ReturnFinder.rets(text, 8, text.length, 0x1000));
  }

  @Test
  void branchesOutsideTheRangeAreNotChecked() {
    assertEquals(List.of(5L), ReturnFinder.rets(code("e9 00 10 00 00 c3"), 0));
    assertEquals(List.of(2L), ReturnFinder.rets(code("eb 80 c3"), 0));
  }

  @Test
  void aBranchSkippingALockPrefixIsAccepted() {
    // je 1f; lock; 1: cmpxchg [rsi], rcx; ret (as glibc does for single-threaded processes)
    byte[] code = code("74 01 f0 48 0f b1 0e c3");
    assertEquals(List.of(0x2007L), ReturnFinder.rets(code, 0x2000));
  }

  @Test
  void dataInsideCodeIsDetectedInsteadOfGuessed() {
    // jmp over one data byte (B8) to a ret: decoding from the start reads "mov eax, imm32" that
    // swallows the ret, and the jump lands inside it.
    byte[] code = code("eb 01 b8 c3 90 90 90");
    InstructionDecodeException e =
        assertThrows(InstructionDecodeException.class, () -> ReturnFinder.rets(code, 0x3000));
    assertEquals(0x3003, e.address());
    assertTrue(
        e.getMessage().contains("0x3000")
            && e.getMessage().contains("0x3002")
            && e.getMessage().contains("holds data"),
        e.getMessage());
  }

  @Test
  void undecodableBytesNameTheirAddress() {
    InstructionDecodeException e =
        assertThrows(
            InstructionDecodeException.class, () -> ReturnFinder.rets(code("90 90 06 c3"), 0x7000));
    assertEquals(0x7002, e.address());
    assertTrue(e.getMessage().startsWith("x86-64 code at 0x7002 (bytes 06 c3)"), e.getMessage());
  }
}
