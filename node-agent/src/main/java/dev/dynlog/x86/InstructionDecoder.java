package dev.dynlog.x86;

import java.util.Arrays;
import java.util.Objects;

/**
 * Length decoder for x86-64 machine code in 64-bit mode.
 *
 * <p>It finds where each instruction starts and ends without disassembling operands: legacy
 * prefixes (any order, repeated), REX, the one-byte, {@code 0F}, {@code 0F 38} and {@code 0F 3A}
 * maps, 3DNow!, x87, VEX, EVEX and XOP encodings, ModRM/SIB/displacement (RIP-relative included)
 * and immediates whose size depends on the operand-size prefix, REX.W, the address-size prefix
 * (moffs) or ModRM.reg (group 3 TEST). The opcode tables below follow the opcode maps of the Intel
 * SDM volume 2 appendix A (and the AMD APM for 3DNow!, SSE4a and XOP). Opcodes that are invalid in
 * 64-bit mode, truncated code and instructions longer than 15 bytes raise an {@link
 * InstructionDecodeException} naming the address and the bytes. Opcodes left undefined inside the
 * 0F 38, 0F 3A, VEX and EVEX maps are measured by their map's format (ModRM, then the map's
 * immediate) rather than rejected; {@link ReturnFinder} detects data that decodes this way through
 * its branch-target check.
 *
 * <p>Near branches with a {@code 66} prefix take a 16-bit displacement, as AMD CPUs and GNU objdump
 * decode them (compilers never emit that form).
 */
public final class InstructionDecoder {
  /** The architectural maximum length of one instruction. */
  public static final int MAX_LENGTH = 15;

  /*
   * Operand bytes that follow each opcode, one character per opcode, rows of 16:
   * '.' none          'm' ModRM (+SIB/disp)   'r' ModRM that always names registers (mod ignored)
   * 'b' imm8          'w' imm16               'z' imm16/32: 16 with 66 unless REX.W
   * 'v' imm16/32/64 (MOV r, imm: 64 with REX.W, 16 with 66)   'e' imm16 + imm8 (ENTER)
   * 'o' moffs: 64-bit address, 32-bit with 67
   * 'M' ModRM + imm8  'Z' ModRM + imm16/32
   * 'f' F6 group 3: ModRM, then imm8 when ModRM.reg is 0 or 1 (TEST)
   * 'F' F7 group 3: ModRM, then imm16/32 when ModRM.reg is 0 or 1 (TEST)
   * 'S' 0F 78: ModRM (VMREAD), plus imm8 imm8 with 66 (EXTRQ) or F2 (INSERTQ)
   * 'D' 0F 0F 3DNow!: ModRM + opcode suffix byte
   * '2' 0F escape, '3' 0F 38 escape, '4' 0F 3A escape, 'V' VEX, 'E' EVEX, 'X' 8F: POP r/m or XOP
   * 'p' prefix (consumed before the table is consulted), 'x' invalid in 64-bit mode
   */
  private static final String ONE_BYTE =
      String.join(
          "",
          "mmmmbzxxmmmmbzx2", // 0x
          "mmmmbzxxmmmmbzxx", // 1x
          "mmmmbzpxmmmmbzpx", // 2x
          "mmmmbzpxmmmmbzpx", // 3x
          "pppppppppppppppp", // 4x REX
          "................", // 5x
          "xxEmppppzZbM....", // 6x
          "bbbbbbbbbbbbbbbb", // 7x
          "MZxMmmmmmmmmmmmX", // 8x
          "..........x.....", // 9x
          "oooo....bz......", // Ax
          "bbbbbbbbvvvvvvvv", // Bx
          "MMw.VVMZe.w..bx.", // Cx
          "mmmmxxx.mmmmmmmm", // Dx
          "bbbbbbbbzzxb....", // Ex
          "p.pp..fF......mm"); // Fx

  private static final String MAP_0F =
      String.join(
          "",
          "mmmmx.....x.xm.D", // 0x
          "mmmmmmmmmmmmmmmm", // 1x
          "rrrrxxxxmmmmmmmm", // 2x
          "......x.3x4xxxxx", // 3x
          "mmmmmmmmmmmmmmmm", // 4x
          "mmmmmmmmmmmmmmmm", // 5x
          "mmmmmmmmmmmmmmmm", // 6x
          "MMMMmmm.Smxxmmmm", // 7x
          "zzzzzzzzzzzzzzzz", // 8x
          "mmmmmmmmmmmmmmmm", // 9x
          "...mMmmm...mMmmm", // Ax  (A6/A7: VIA PadLock)
          "mmmmmmmmmmMmmmmm", // Bx
          "mmMmMMMm........", // Cx
          "mmmmmmmmmmmmmmmm", // Dx
          "mmmmmmmmmmmmmmmm", // Ex
          "mmmmmmmmmmmmmmmm"); // Fx

  private InstructionDecoder() {}

  /**
   * Length in bytes of the instruction starting at {@code code[offset]}.
   *
   * @throws InstructionDecodeException if the bytes are not a valid 64-bit instruction (the
   *     reported address is {@code offset})
   */
  public static int length(byte[] code, int offset) {
    return decode(code, offset, 0L).length();
  }

  /**
   * Decodes the instruction starting at {@code code[offset]}.
   *
   * @param baseAddress virtual address of {@code code[0]}
   * @throws InstructionDecodeException if the bytes are not a valid 64-bit instruction
   */
  public static Instruction decode(byte[] code, int offset, long baseAddress) {
    Objects.checkIndex(offset, code.length);
    return decode(code, offset, code.length, baseAddress);
  }

  /**
   * Start addresses of the consecutive instructions that fill {@code code}, decoded from its first
   * byte.
   *
   * @param baseAddress virtual address of {@code code[0]}
   */
  public static long[] boundaries(byte[] code, long baseAddress) {
    return boundaries(code, 0, code.length, baseAddress);
  }

  /**
   * Start addresses of the consecutive instructions in {@code code[from, to)}; the last one must
   * end exactly at {@code to}.
   *
   * @param baseAddress virtual address of {@code code[0]}
   */
  public static long[] boundaries(byte[] code, int from, int to, long baseAddress) {
    Objects.checkFromToIndex(from, to, code.length);
    long[] starts = new long[Math.max(16, (to - from) / 3)];
    int count = 0;
    for (int offset = from; offset < to; ) {
      if (count == starts.length) {
        starts = Arrays.copyOf(starts, count * 2);
      }
      starts[count++] = baseAddress + offset;
      offset += decode(code, offset, to, baseAddress).length();
    }
    return Arrays.copyOf(starts, count);
  }

  /** Decodes one instruction at {@code offset} that must end at or before {@code limit}. */
  static Instruction decode(byte[] code, int offset, int limit, long baseAddress) {
    Reader r = new Reader(code, offset, limit, baseAddress + offset);
    int b = r.prefixes();
    char form = ONE_BYTE.charAt(b);
    return switch (form) {
      case '2' -> twoByte(r);
      case 'V' -> vex(r, b);
      case 'E' -> evex(r);
      case 'X' -> popOrXop(r);
      default -> {
        operands(r, form, String.format("%02X", b));
        long target = isRelativeBranch(b) ? r.branchTarget(form) : Instruction.NO_TARGET;
        yield r.instruction(OpcodeMap.ONE_BYTE, b, 0, target);
      }
    };
  }

  /** One-byte map: Jcc rel8, LOOPcc/JrCXZ rel8, CALL rel, JMP rel, JMP rel8. */
  private static boolean isRelativeBranch(int op) {
    return (op & 0xF0) == 0x70
        || (op >= 0xE0 && op <= 0xE3)
        || op == 0xE8
        || op == 0xE9
        || op == 0xEB;
  }

  private static Instruction twoByte(Reader r) {
    int op = r.next();
    char form = MAP_0F.charAt(op);
    switch (form) {
      case '3' -> {
        int op3 = r.next();
        modrm(r);
        return r.instruction(OpcodeMap.MAP_0F38, op3, 0);
      }
      case '4' -> {
        int op3 = r.next();
        modrm(r);
        r.skip(1);
        return r.instruction(OpcodeMap.MAP_0F3A, op3, 0);
      }
      case 'D' -> {
        modrm(r);
        return r.instruction(OpcodeMap.MAP_3DNOW, r.next(), 0);
      }
      default -> {
        operands(r, form, String.format("0F %02X", op));
        long target = (op & 0xF0) == 0x80 ? r.branchTarget(form) : Instruction.NO_TARGET; // Jcc rel
        return r.instruction(OpcodeMap.MAP_0F, op, 0, target);
      }
    }
  }

  /** VEX: {@code C5 [R vvvv L pp]} (map 0F) or {@code C4 [RXB mmmmm] [W vvvv L pp]}. */
  private static Instruction vex(Reader r, int escape) {
    r.rejectBeforeVectorEscape("VEX");
    int map;
    if (escape == 0xC5) {
      r.next();
      map = 1;
    } else {
      map = r.next() & 0x1F;
      r.next();
    }
    int op = r.next();
    switch (map) {
      case 1 -> {
        if (op != 0x77) { // VZEROUPPER/VZEROALL have no ModRM
          modrm(r);
        }
        r.skip(map0FHasImm8(op) ? 1 : 0);
      }
      case 2 -> modrm(r);
      case 3 -> {
        modrm(r);
        r.skip(1);
      }
      default -> r.fail("VEX map select " + map + " is undefined");
    }
    return r.instruction(OpcodeMap.VEX, op, map);
  }

  /** EVEX: {@code 62 [RXBR' 0 mmm] [W vvvv 1 pp] [z L'L b V' aaa]} opcode ModRM. */
  private static Instruction evex(Reader r) {
    r.rejectBeforeVectorEscape("EVEX");
    int p0 = r.next();
    int p1 = r.next();
    r.next();
    int map = p0 & 7;
    if ((p1 & 4) == 0) {
      r.fail("EVEX payload bit P1[2] must be 1");
    }
    int op = r.next();
    modrm(r);
    switch (map) {
      case 1 -> r.skip(map0FHasImm8(op) ? 1 : 0);
      case 2, 5, 6 -> {}
      case 3 -> r.skip(1);
      default -> r.fail("EVEX map select " + map + " is undefined or unsupported");
    }
    return r.instruction(OpcodeMap.EVEX, op, map);
  }

  /** {@code 8F /0} is POP r/m; with ModRM.reg != 0 the byte starts an AMD XOP prefix. */
  private static Instruction popOrXop(Reader r) {
    if ((r.peek() & 0x38) == 0) {
      modrm(r);
      return r.instruction(OpcodeMap.ONE_BYTE, 0x8F, 0);
    }
    r.rejectBeforeVectorEscape("XOP");
    int map = r.next() & 0x1F;
    r.next();
    int op = r.next();
    modrm(r);
    switch (map) {
      case 8 -> r.skip(1);
      case 9 -> {}
      case 10 -> r.skip(4);
      default -> r.fail("8F with ModRM.reg != 0 is neither POP nor a valid XOP map (" + map + ")");
    }
    return r.instruction(OpcodeMap.XOP, op, map);
  }

  /** VEX/EVEX map 0F opcodes that take an imm8: shifts/shuffles 70-73, CMPPS C2, C4-C6. */
  private static boolean map0FHasImm8(int op) {
    return (op >= 0x70 && op <= 0x73) || op == 0xC2 || (op >= 0xC4 && op <= 0xC6);
  }

  private static void operands(Reader r, char form, String opcodeName) {
    switch (form) {
      case '.' -> {}
      case 'm' -> modrm(r);
      case 'r' -> r.next();
      case 'b' -> r.skip(1);
      case 'w' -> r.skip(2);
      case 'z' -> r.skip(r.immediateZ());
      case 'v' -> r.skip(r.rexW() ? 8 : r.operandSize ? 2 : 4);
      case 'o' -> r.skip(r.addressSize ? 4 : 8);
      case 'e' -> r.skip(3);
      case 'M' -> {
        modrm(r);
        r.skip(1);
      }
      case 'Z' -> {
        modrm(r);
        r.skip(r.immediateZ());
      }
      case 'f', 'F' -> {
        int reg = (modrm(r) >> 3) & 7;
        if (reg < 2) {
          r.skip(form == 'f' ? 1 : r.immediateZ());
        }
      }
      case 'S' -> {
        modrm(r);
        r.skip(r.operandSize || r.lastRepeat == 0xF2 ? 2 : 0);
      }
      case 'x' -> r.fail("opcode " + opcodeName + " is invalid in 64-bit mode");
      default -> throw new IllegalStateException("opcode table form " + form);
    }
  }

  /** Consumes ModRM, SIB and displacement; returns the ModRM byte. */
  private static int modrm(Reader r) {
    int modrm = r.next();
    int mod = modrm >>> 6;
    int rm = modrm & 7;
    if (mod == 3) {
      return modrm;
    }
    int displacement = mod == 1 ? 1 : mod == 2 ? 4 : 0;
    if (rm == 4) {
      int sib = r.next();
      if (mod == 0 && (sib & 7) == 5) {
        displacement = 4; // no base register: disp32
      }
    } else if (mod == 0 && rm == 5) {
      displacement = 4; // RIP-relative disp32
    }
    r.skip(displacement);
    return modrm;
  }

  /** Reads the bytes of one instruction and remembers its prefixes. */
  private static final class Reader {
    private final byte[] code;
    private final int start;
    private final int limit;
    private final long address;
    private int pos;
    private int rex;
    private boolean operandSize;
    private boolean addressSize;
    private boolean lock;
    private int lastRepeat;

    Reader(byte[] code, int start, int limit, long address) {
      this.code = code;
      this.start = start;
      this.limit = limit;
      this.address = address;
      this.pos = start;
    }

    /** Consumes legacy and REX prefixes and returns the first opcode byte. */
    int prefixes() {
      while (true) {
        int b = next();
        switch (b) {
          case 0x66 -> operandSize = true;
          case 0x67 -> addressSize = true;
          case 0xF0 -> lock = true;
          case 0xF2, 0xF3 -> lastRepeat = b;
          case 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65 -> {}
          default -> {
            if ((b & 0xF0) == 0x40) {
              rex = b;
              continue;
            }
            return b;
          }
        }
        rex = 0; // a REX prefix only counts right before the opcode
      }
    }

    boolean rexW() {
      return (rex & 8) != 0;
    }

    /** Size of an imm16/32 operand: REX.W wins over 66. */
    int immediateZ() {
      return operandSize && !rexW() ? 2 : 4;
    }

    void rejectBeforeVectorEscape(String kind) {
      if (rex != 0 || operandSize || lock || lastRepeat != 0) {
        fail(kind + " prefix after a 66, F0, F2, F3 or REX prefix");
      }
    }

    int peek() {
      checkAvailable();
      return code[pos] & 0xFF;
    }

    int next() {
      int b = peek();
      pos++;
      return b;
    }

    void skip(int count) {
      for (int i = 0; i < count; i++) {
        next();
      }
    }

    private void checkAvailable() {
      if (pos - start >= MAX_LENGTH) {
        fail("longer than " + MAX_LENGTH + " bytes");
      }
      if (pos >= limit) {
        fail("truncated: the code ends after " + (limit - start) + " byte(s)");
      }
    }

    Instruction instruction(OpcodeMap map, int opcode, int vexMap) {
      return instruction(map, opcode, vexMap, Instruction.NO_TARGET);
    }

    Instruction instruction(OpcodeMap map, int opcode, int vexMap, long branchTarget) {
      return new Instruction(address, pos - start, map, opcode, vexMap, branchTarget);
    }

    /** Target of the relative branch just read, whose displacement is its last operand. */
    long branchTarget(char form) {
      int size = form == 'b' ? 1 : immediateZ();
      long displacement = 0;
      for (int i = 1; i <= size; i++) {
        displacement = (displacement << 8) | (code[pos - i] & 0xFF);
      }
      int unused = 64 - 8 * size;
      displacement = (displacement << unused) >> unused; // sign-extend
      return address + (pos - start) + displacement;
    }

    void fail(String reason) {
      int end = Math.min(limit, start + MAX_LENGTH);
      throw new InstructionDecodeException(
          address, Arrays.copyOfRange(code, start, end), "not a valid instruction: " + reason);
    }
  }
}
