package dev.dynlog.recipe;

/**
 * x86-64 general purpose registers, with their byte offset in the kernel's {@code struct pt_regs}
 * ({@code LayoutTest} checks each offset against the BPF object's BTF).
 */
public enum Register {
  R15(0),
  R14(8),
  R13(16),
  R12(24),
  RBP(32),
  RBX(40),
  R11(48),
  R10(56),
  R9(64),
  R8(72),
  RAX(80),
  RCX(88),
  RDX(96),
  RSI(104),
  RDI(112),
  RIP(128),
  RSP(152);

  private final int ptRegsOffset;

  Register(int ptRegsOffset) {
    this.ptRegsOffset = ptRegsOffset;
  }

  public int ptRegsOffset() {
    return ptRegsOffset;
  }
}
