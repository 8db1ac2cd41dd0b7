package dev.dynlog.abi;

import dev.dynlog.plan.Register;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.symbols.Variable;
import dev.dynlog.types.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * Go's internal register ABI on amd64 (ABIInternal, Go ≥ 1.17), replayed as the compiler's
 * {@code abi-internal.md} specifies it. With zero registers the same algorithm is Go's stack ABI0.
 *
 * <p>Each receiver, argument and result is either entirely in registers or entirely on the stack.
 * A value is register-assigned recursively (strings 2 integer registers, slices 3, interfaces 2,
 * structs field by field, arrays of length 0 nothing, of length 1 their element, longer arrays fail);
 * when it does not fit in the remaining registers the assignment of that value rolls back and the
 * value is appended to the stack sequence, aligned to its alignment. Later values still try
 * registers. Results restart at RAX/X0; the stack results follow the stack arguments after a
 * pointer-size alignment. Stack offsets are relative to RSP at entry or at a RET, where RSP points at
 * the return address, so the stack sequence starts at RSP+8.
 */
public final class GoRegisterAbi implements CallingConvention {

  private static final Register[] INTEGER_REGISTERS = {
    Register.RAX, Register.RBX, Register.RCX, Register.RDI, Register.RSI,
    Register.R8, Register.R9, Register.R10, Register.R11
  };
  private static final int FLOAT_REGISTERS = 15;
  private static final long POINTER_SIZE = 8;
  /** Bytes between RSP at entry (or at RET) and the first stack-assigned value: the return address. */
  private static final long RETURN_ADDRESS_SIZE = 8;

  /** ABIInternal on amd64: RAX, RBX, RCX, RDI, RSI, R8, R9, R10, R11 and X0–X14. */
  public static final GoRegisterAbi INTERNAL = new GoRegisterAbi("Go ABIInternal", INTEGER_REGISTERS.length, FLOAT_REGISTERS);

  /** Go's stack-based ABI0 (before Go 1.17): the same algorithm with no registers. */
  public static final GoRegisterAbi ABI0 = new GoRegisterAbi("Go ABI0", 0, 0);

  private final String name;
  private final int integerRegisters;
  private final int floatRegisters;

  private GoRegisterAbi(String name, int integerRegisters, int floatRegisters) {
    this.name = name;
    this.integerRegisters = integerRegisters;
    this.floatRegisters = floatRegisters;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CallLayout layout(Function function) throws ResolveException {
    Assigner a = new Assigner(function.name());
    List<Location> args = new ArrayList<>();
    List<Variable> declared = function.arguments();
    int dictionaryAt = hiddenDictionaryIndex(function);
    for (int i = 0; i < declared.size(); i++) {
      if (i == dictionaryAt) a.assign(DICTIONARY);
      args.add(a.assign(declared.get(i)));
    }
    if (dictionaryAt == declared.size()) a.assign(DICTIONARY);
    a.stackOffset = TypeLayout.alignUp(a.stackOffset, POINTER_SIZE);
    a.nextInt = 0;
    a.nextFloat = 0;
    List<Location> results = new ArrayList<>();
    for (Variable v : function.results()) results.add(a.assign(v));
    return new CallLayout(name, args, results);
  }

  private static final Variable DICTIONARY =
      new Variable(".dict", new Type(Type.Kind.POINTER, "*uint8", 8), false, true);

  /**
   * Where a GC-shape instantiation of a generic function ({@code pkg.F[go.shape.int]}) takes its
   * hidden dictionary pointer when the DWARF omits the unused {@code .dict} parameter (optimised
   * builds do): the first parameter after the receiver. Returns -1 when there is none to add.
   */
  static int hiddenDictionaryIndex(Function function) {
    String name = function.name();
    if (name == null || !name.contains("go.shape.")) return -1;
    for (Variable v : function.parameters()) if (".dict".equals(v.name())) return -1;
    // A method of a generic type has the shape inside its receiver type: pkg.T[go.shape.int].M
    // or pkg.(*T[go.shape.int]).M; a generic function ends with its type arguments: pkg.F[...].
    boolean method = !name.endsWith("]");
    return method ? Math.min(1, function.arguments().size()) : 0;
  }

  /** The mutable state of one assignment: next registers and the stack sequence's size. */
  private final class Assigner {
    private final String function;
    int nextInt;
    int nextFloat;
    long stackOffset;

    Assigner(String function) {
      this.function = function;
    }

    Location assign(Variable v) throws ResolveException {
      Type type = v.type();
      long size = sizeOf(v, type);
      long alignment = TypeLayout.alignment(type);
      if (size == 0) {
        stackOffset = TypeLayout.alignUp(stackOffset, alignment);
        return Location.EMPTY;
      }
      int savedInt = nextInt;
      int savedFloat = nextFloat;
      List<Slot> slots = new ArrayList<>();
      if (registerAssign(v, type, 0, slots, 0)) {
        return Location.direct(slots);
      }
      nextInt = savedInt;
      nextFloat = savedFloat;
      stackOffset = TypeLayout.alignUp(stackOffset, alignment);
      Location loc = Location.direct(List.of(stackSlot(v, RETURN_ADDRESS_SIZE + stackOffset, size)));
      stackOffset += size;
      return loc;
    }

    private long sizeOf(Variable v, Type type) throws ResolveException {
      try {
        return TypeLayout.size(type);
      } catch (ResolveException e) {
        throw new ResolveException("cannot place `" + v.name() + "` of " + function + ": " + e.getMessage());
      }
    }

    private boolean registerAssign(Variable v, Type type, long offset, List<Slot> out, int depth)
        throws ResolveException {
      if (depth > TypeLayout.MAX_DEPTH) {
        throw new ResolveException("cannot place `" + v.name() + "` of " + function + ": type `"
            + v.type().displayName() + "` nests deeper than " + TypeLayout.MAX_DEPTH + " levels");
      }
      Type t = TypeLayout.stripped(type);
      long size = TypeLayout.size(t);
      switch (t.kind()) {
        case BOOL, INT, UINT, ENUM -> {
          if (size <= POINTER_SIZE) return integer(out, (int) size, offset);
          if (size == 2 * POINTER_SIZE) return integer(out, 8, offset) && integer(out, 8, offset + 8);
          return false;
        }
        case FLOAT -> {
          return floating(out, (int) size, offset);
        }
        case COMPLEX -> {
          return floating(out, (int) (size / 2), offset) && floating(out, (int) (size / 2), offset + size / 2);
        }
        case POINTER, GO_MAP, GO_CHAN, FUNC -> {
          return integer(out, 8, offset);
        }
        case GO_STRING, GO_INTERFACE -> {
          return integer(out, 8, offset) && integer(out, 8, offset + 8);
        }
        case GO_SLICE -> {
          return integer(out, 8, offset) && integer(out, 8, offset + 8) && integer(out, 8, offset + 16);
        }
        case STRUCT -> {
          for (Type.Member m : t.members()) {
            if (!registerAssign(v, m.type(), offset + m.offset(), out, depth + 1)) return false;
          }
          return true;
        }
        case ARRAY -> {
          if (t.count() == 0 || size == 0) return true;
          if (t.count() == 1) return registerAssign(v, t.target(), offset, out, depth + 1);
          return false;
        }
        default -> throw new ResolveException("cannot place `" + v.name() + "` of " + function
            + ": type `" + v.type().displayName() + "` contains a " + t.kind().name().toLowerCase()
            + " (`" + t.displayName() + "`), which the Go ABI does not pass");
      }
    }

    private boolean integer(List<Slot> out, int size, long offset) {
      if (nextInt >= integerRegisters) return false;
      out.add(Slot.gpr(INTEGER_REGISTERS[nextInt++], size, offset));
      return true;
    }

    private boolean floating(List<Slot> out, int size, long offset) {
      if (nextFloat >= floatRegisters) return false;
      out.add(Slot.xmm(nextFloat++, size, offset));
      return true;
    }
  }

  /** One slot for a whole stack-resident value; sizes beyond {@link #MAX_STACK_VALUE} are rejected. */
  static Slot stackSlot(Variable v, long spOffset, long size) throws ResolveException {
    if (size > MAX_STACK_VALUE) {
      throw new ResolveException("`" + v.name() + "` of type `" + v.type().displayName() + "` claims " + size
          + " bytes, more than a stack argument can hold (" + MAX_STACK_VALUE + ")");
    }
    return Slot.stack(spOffset, (int) size, 0);
  }

  /** Largest stack-passed value we accept (1 GiB); larger sizes come from corrupt debug information. */
  static final long MAX_STACK_VALUE = 1L << 30;
}
