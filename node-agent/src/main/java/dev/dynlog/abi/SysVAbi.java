package dev.dynlog.abi;

import dev.dynlog.recipe.Register;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.symbols.Variable;
import dev.dynlog.types.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The System V x86-64 psABI for C and C++: INTEGER arguments in RDI, RSI, RDX, RCX, R8, R9, SSE
 * arguments in XMM0–XMM7 (not readable by uprobes), aggregates up to 16 bytes classified per
 * eightbyte, larger or unaligned ones in memory on the stack. A result of class MEMORY, or of a C++
 * type that is not trivially copyable, is returned through a hidden pointer passed in RDI (shifting
 * the other arguments) and handed back in RAX. C++ arguments that are not trivially copyable are
 * passed by invisible reference: a pointer in the next integer register.
 */
public final class SysVAbi implements CallingConvention {

  /**
   * The convention when only the debug information's DW_AT_calling_convention tells non-trivial
   * classes.
   */
  public static final SysVAbi INSTANCE = new SysVAbi(t -> false);

  private static final Register[] INTEGER_ARGS = {
    Register.RDI, Register.RSI, Register.RDX, Register.RCX, Register.R8, Register.R9
  };
  private static final Register[] INTEGER_RESULTS = {Register.RAX, Register.RDX};
  private static final int SSE_ARGS = 8;
  private static final int SSE_RESULTS = 2;
  private static final long RETURN_ADDRESS_SIZE = 8;

  private final Predicate<Type> userDeclaredCopyOrDestructor;

  private SysVAbi(Predicate<Type> userDeclaredCopyOrDestructor) {
    this.userDeclaredCopyOrDestructor = userDeclaredCopyOrDestructor;
  }

  /**
   * The convention with an extra way to recognise classes that are not trivially copyable, for
   * producers (GCC) that do not emit DW_AT_calling_convention: {@code userDeclaredCopyOrDestructor}
   * says whether a class has a user-provided copy constructor or destructor.
   */
  public static SysVAbi withCopySemantics(Predicate<Type> userDeclaredCopyOrDestructor) {
    return new SysVAbi(userDeclaredCopyOrDestructor);
  }

  @Override
  public String name() {
    return "System V x86-64";
  }

  @Override
  public CallLayout layout(Function function) throws ResolveException {
    int nextInt = 0;
    int nextSse = 0;
    long stack = 0;
    List<Location> results = new ArrayList<>();
    Type ret = function.returnType();
    if (ret != null && TypeLayout.stripped(ret).kind() != Type.Kind.VOID) {
      Location loc = returnLocation(function, ret);
      if (loc.indirect()) nextInt = 1;
      results.add(loc);
    }
    List<Location> args = new ArrayList<>();
    for (Variable v : function.arguments()) {
      Type t = TypeLayout.stripped(v.type());
      if (EightbyteClassifier.passedByReference(t, userDeclaredCopyOrDestructor)) {
        if (nextInt < INTEGER_ARGS.length) {
          args.add(
              Location.indirect(Slot.gpr(INTEGER_ARGS[nextInt++], 8, 0), "invisible reference"));
        } else {
          args.add(
              Location.indirect(
                  Slot.stack(RETURN_ADDRESS_SIZE + stack, 8, 0), "invisible reference"));
          stack += 8;
        }
        continue;
      }
      long size = TypeLayout.size(t);
      if (size == 0) {
        args.add(Location.EMPTY);
        continue;
      }
      List<EightbyteClass> classes = EightbyteClassifier.classify(t);
      if (classes != null) {
        int ints = count(classes, EightbyteClass.INTEGER);
        int sses = count(classes, EightbyteClass.SSE);
        if (nextInt + ints <= INTEGER_ARGS.length && nextSse + sses <= SSE_ARGS) {
          List<Slot> slots = new ArrayList<>();
          for (int i = 0; i < classes.size(); i++) {
            int pieceSize = (int) Math.min(8, size - 8L * i);
            switch (classes.get(i)) {
              case INTEGER -> slots.add(Slot.gpr(INTEGER_ARGS[nextInt++], pieceSize, 8L * i));
              case SSE -> slots.add(Slot.xmm(nextSse++, sseSize(classes, i, size), 8L * i));
              case NONE, SSEUP -> {}
              default -> throw new IllegalStateException("unexpected class " + classes.get(i));
            }
          }
          args.add(Location.direct(slots));
          continue;
        }
      }
      long alignment = Math.max(8, TypeLayout.alignment(t));
      stack = TypeLayout.alignUp(stack, alignment);
      args.add(
          Location.direct(List.of(GoRegisterAbi.stackSlot(v, RETURN_ADDRESS_SIZE + stack, size))));
      stack += TypeLayout.alignUp(size, 8);
    }
    return new CallLayout(name(), args, results);
  }

  private Location returnLocation(Function function, Type ret) throws ResolveException {
    Type t = TypeLayout.stripped(ret);
    if (EightbyteClassifier.passedByReference(t, userDeclaredCopyOrDestructor)) {
      return Location.indirect(
          Slot.gpr(Register.RAX, 8, 0), "returned via hidden pointer, RAX at return");
    }
    if (EightbyteClassifier.isX87(t)) {
      return Location.unavailable(
          "`"
              + ret.displayName()
              + "` is returned in the x87 register st(0), which uprobes cannot read");
    }
    List<EightbyteClass> classes = EightbyteClassifier.classify(t);
    if (classes == null) {
      return Location.indirect(Slot.gpr(Register.RAX, 8, 0), "returned in memory, RAX at return");
    }
    long size = TypeLayout.size(t);
    List<Slot> slots = new ArrayList<>();
    int ints = 0;
    int sses = 0;
    for (int i = 0; i < classes.size(); i++) {
      int pieceSize = (int) Math.min(8, size - 8L * i);
      switch (classes.get(i)) {
        case INTEGER -> slots.add(Slot.gpr(INTEGER_RESULTS[ints++], pieceSize, 8L * i));
        case SSE -> {
          if (sses >= SSE_RESULTS) throw new IllegalStateException("more than two SSE eightbytes");
          slots.add(Slot.xmm(sses++, sseSize(classes, i, size), 8L * i));
        }
        case NONE, SSEUP -> {}
        default -> throw new IllegalStateException("unexpected class " + classes.get(i));
      }
    }
    return Location.direct(slots);
  }

  /** An SSE eightbyte followed by SSEUP is one 16-byte XMM value. */
  private static int sseSize(List<EightbyteClass> classes, int i, long size) {
    boolean up = i + 1 < classes.size() && classes.get(i + 1) == EightbyteClass.SSEUP;
    return (int) Math.min(up ? 16 : 8, size - 8L * i);
  }

  private static int count(List<EightbyteClass> classes, EightbyteClass c) {
    int n = 0;
    for (EightbyteClass x : classes) if (x == c) n++;
    return n;
  }
}
