package dev.dynlog.plan;

/** x86-64 general purpose registers, with their byte offset in the kernel's {@code struct pt_regs}. */
public enum Register {
  R15(0), R14(8), R13(16), R12(24), RBP(32), RBX(40), R11(48), R10(56), R9(64), R8(72),
  RAX(80), RCX(88), RDX(96), RSI(104), RDI(112), RIP(128), RSP(152);

  private final int ptRegsOffset;

  Register(int ptRegsOffset) {
    this.ptRegsOffset = ptRegsOffset;
  }

  public int ptRegsOffset() {
    return ptRegsOffset;
  }

  /** DWARF register number to register (x86-64 psABI numbering), or null for non-GPRs (XMM...). */
  public static Register fromDwarf(int regno) {
    return switch (regno) {
      case 0 -> RAX; case 1 -> RDX; case 2 -> RCX; case 3 -> RBX; case 4 -> RSI; case 5 -> RDI;
      case 6 -> RBP; case 7 -> RSP; case 8 -> R8; case 9 -> R9; case 10 -> R10; case 11 -> R11;
      case 12 -> R12; case 13 -> R13; case 14 -> R14; case 15 -> R15; case 16 -> RIP;
      default -> null;
    };
  }
}
