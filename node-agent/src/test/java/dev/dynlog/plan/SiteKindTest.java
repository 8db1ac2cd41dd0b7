package dev.dynlog.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Probe sites are classified by their first instruction, as objdump prints them. */
class SiteKindTest {

  private static SiteKind of(int... b) {
    byte[] code = new byte[b.length];
    for (int i = 0; i < b.length; i++) code[i] = (byte) b[i];
    return SiteKind.of(code);
  }

  @Test
  void prologuesOfGoAndCFunctions() {
    // Go: mov %rax,0x8(%rsp) (a spill) and cmp 0x10(%r14),%rsp (the stack check)
    assertEquals(SiteKind.OTHER, of(0x48, 0x89, 0x44, 0x24, 0x08));
    assertEquals(SiteKind.OTHER, of(0x49, 0x3B, 0x66, 0x10));
    assertEquals(SiteKind.PUSH, of(0x55, 0x48, 0x89, 0xE5));
    assertEquals(SiteKind.PUSH, of(0x41, 0x57)); // push %r15
    assertEquals(SiteKind.ENDBR, of(0xF3, 0x0F, 0x1E, 0xFA, 0x55));
    assertEquals(SiteKind.NOP, of(0x90));
    assertEquals(SiteKind.NOP, of(0x66, 0x90));
    assertEquals(SiteKind.NOP, of(0x0F, 0x1F, 0x00));
    assertEquals(SiteKind.NOP5, of(0x0F, 0x1F, 0x44, 0x00, 0x00));
    assertEquals(SiteKind.BRANCH, of(0xEB, 0x05));
    assertEquals(SiteKind.BRANCH, of(0xE8, 0, 0, 0, 0));
    assertEquals(SiteKind.BRANCH, of(0x0F, 0x84, 0, 0, 0, 0));
    assertEquals(SiteKind.RET, of(0xC3));
    assertEquals(SiteKind.RET, of(0xF3, 0xC3));
    assertEquals(SiteKind.OTHER, of(0x48, 0x89, 0xE5)); // mov %rsp,%rbp
    assertEquals(SiteKind.OTHER, of(0x41, 0x90)); // xchg %eax,%r8d is no NOP
    assertEquals(SiteKind.OTHER, of());
    assertEquals(SiteKind.OTHER, of(0x0F, 0x0B, 0xFF)); // ud2 and garbage
  }
}
