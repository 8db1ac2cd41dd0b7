package dev.dynlog.abi;

import static dev.dynlog.abi.TestTypes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.recipe.Register;
import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.symbols.Variable;
import dev.dynlog.types.Type;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Go ABIInternal assignments worked out by hand from {@code src/cmd/compile/abi-internal.md}
 * (amd64: RAX, RBX, RCX, RDI, RSI, R8, R9, R10, R11; X0–X14; RSP+8 is the first stack slot).
 */
class GoRegisterAbiTest {

  private static CallLayout layout(Function f) throws ResolveException {
    return CallingConvention.of(f).layout(f);
  }

  private static String where(Location l) {
    return l.describe();
  }

  @Test
  void structExactlyFillingNineIntegerRegisters() throws Exception {
    Object[] fields = new Object[18];
    for (int i = 0; i < 9; i++) {
      fields[2 * i] = String.valueOf((char) ('A' + i));
      fields[2 * i + 1] = i64();
    }
    Type nine = struct("abi.Nine", fields);
    CallLayout l = layout(goFunc("abi.FillNine", arg("s", nine), res("~r0", i64())));
    assertEquals("RAX,RBX,RCX,RDI,RSI,R8,R9,R10,R11", where(l.arguments().get(0)));
    List<Slot> slots = l.arguments().get(0).slots();
    for (int i = 0; i < 9; i++) assertEquals(8L * i, slots.get(i).valueOffset());
    assertEquals("RAX", where(l.results().get(0)));
  }

  @Test
  void structThatDoesNotFitGoesToTheStackWhileLaterArgumentsStillUseRegisters() throws Exception {
    Object[] fields = new Object[20];
    for (int i = 0; i < 10; i++) {
      fields[2 * i] = String.valueOf((char) ('A' + i));
      fields[2 * i + 1] = i64();
    }
    Type ten = struct("abi.Ten", fields);
    CallLayout l =
        layout(
            goFunc(
                "abi.Spill", arg("a", i64()), arg("t", ten), arg("b", i64()), res("~r0", i64())));
    assertEquals("RAX", where(l.arguments().get(0)));
    assertEquals("stack [rsp+8] 80B", where(l.arguments().get(1)));
    assertEquals(
        "RBX",
        where(l.arguments().get(2)),
        "b takes the register after a: t's assignment rolled back");
    assertEquals("RAX", where(l.results().get(0)));
  }

  @Test
  void rollBackReleasesPartiallyAssignedRegisters() throws Exception {
    Object[] fields = new Object[18];
    for (int i = 0; i < 9; i++) {
      fields[2 * i] = "F" + i;
      fields[2 * i + 1] = i64();
    }
    Type nine = struct("p.Nine", fields);
    // a takes RAX, so only 8 registers remain for nine: it goes to the stack, c gets RBX.
    CallLayout l = layout(goFunc("p.f", arg("a", i64()), arg("s", nine), arg("c", goString())));
    assertEquals("RAX", where(l.arguments().get(0)));
    assertEquals("stack [rsp+8] 72B", where(l.arguments().get(1)));
    assertEquals("RBX,RCX", where(l.arguments().get(2)));
  }

  @Test
  void structResultFollowedByErrorRestartsAtRax() throws Exception {
    Type pair = struct("abi.Pair", "X", i64(), "Y", i64());
    CallLayout l =
        layout(goFunc("abi.MakePair", arg("x", i64()), res("~r0", pair), res("~r1", error())));
    assertEquals("RAX", where(l.arguments().get(0)));
    assertEquals("RAX,RBX", where(l.results().get(0)));
    assertEquals("RCX,RDI", where(l.results().get(1)));
  }

  @Test
  void mixedIntAndFloatFieldsUseBothRegisterSequences() throws Exception {
    Type mixed = struct("abi.Mixed", "A", i32(), "F", f64(), "B", i64());
    CallLayout l = layout(goFunc("abi.MixIt", arg("m", mixed), arg("k", i64()), res("~r0", i64())));
    List<Slot> s = l.arguments().get(0).slots();
    assertEquals(
        List.of(Slot.gpr(Register.RAX, 4, 0), Slot.xmm(0, 8, 8), Slot.gpr(Register.RBX, 8, 16)), s);
    assertEquals("RCX", where(l.arguments().get(1)));
  }

  @Test
  void zeroLengthArrayFieldTakesNoRegister() throws Exception {
    Type z = struct("abi.ZeroArr", "A", i64(), "Z", array(i64(), 0), "B", i64());
    assertEquals(16, z.size());
    CallLayout l = layout(goFunc("abi.Zeroed", arg("z", z), arg("n", i64())));
    assertEquals("RAX,RBX", where(l.arguments().get(0)));
    assertEquals(8, l.arguments().get(0).slots().get(1).valueOffset());
    assertEquals("RCX", where(l.arguments().get(1)));
  }

  @Test
  void zeroSizedArgumentIsStackAssignedWithoutSpaceButAligns() throws Exception {
    // [3]uint8 goes to the stack at offset 0 (3 bytes); the zero-sized [0]int64 aligns the sequence
    // to 8,
    // so the following [2]int64 lands at offset 8.
    CallLayout l =
        layout(
            goFunc(
                "p.f",
                arg("a", array(u8(), 3)),
                arg("z", array(i64(), 0)),
                arg("b", array(i64(), 2)),
                arg("c", i64())));
    assertEquals("stack [rsp+8] 3B", where(l.arguments().get(0)));
    assertSame(Location.EMPTY, l.arguments().get(1));
    assertEquals("stack [rsp+16] 16B", where(l.arguments().get(2)));
    assertEquals("RAX", where(l.arguments().get(3)));
  }

  @Test
  void arraysOfLengthOneUseARegisterLongerOnesTheStack() throws Exception {
    CallLayout l =
        layout(
            goFunc(
                "abi.Arrays",
                arg("one", array(i64(), 1)),
                arg("two", array(i64(), 2)),
                arg("c", i64()),
                res("~r0", i64())));
    assertEquals("RAX", where(l.arguments().get(0)));
    assertEquals("stack [rsp+8] 16B", where(l.arguments().get(1)));
    assertEquals("RBX", where(l.arguments().get(2)));
  }

  @Test
  void exampleFromTheAbiDocument() throws Exception {
    // func f(a1 uint8, a2 [2]uintptr, a3 uint8) (r1 struct { x uintptr; y [2]uintptr }, r2 string)
    Type r1 = struct(null, "x", uptr(), "y", array(uptr(), 2));
    CallLayout l =
        layout(
            goFunc(
                "p.f",
                arg("a1", u8()),
                arg("a2", array(uptr(), 2)),
                arg("a3", u8()),
                res("r1", r1),
                res("r2", goString())));
    assertEquals("RAX/1", where(l.arguments().get(0)));
    assertEquals("stack [rsp+8] 16B", where(l.arguments().get(1)));
    assertEquals("RBX/1", where(l.arguments().get(2)));
    assertEquals(
        "stack [rsp+24] 24B",
        where(l.results().get(0)),
        "results follow the 16-byte argument area");
    assertEquals("RAX,RBX", where(l.results().get(1)));
  }

  @Test
  void stringsSlicesAndInterfacesTakeTwoThreeAndTwoRegisters() throws Exception {
    CallLayout l =
        layout(
            goFunc(
                "abi.Strs",
                arg("s", goString()),
                arg("b", slice(u8())),
                arg("xs", slice(i64())),
                arg("e", error()),
                res("~r0", i64()),
                res("~r1", goString())));
    assertEquals("RAX,RBX", where(l.arguments().get(0)));
    assertEquals("RCX,RDI,RSI", where(l.arguments().get(1)));
    assertEquals("R8,R9,R10", where(l.arguments().get(2)));
    assertEquals(
        "stack [rsp+8] 16B",
        where(l.arguments().get(3)),
        "only R11 is left for a 2-word interface");
    assertEquals("RAX", where(l.results().get(0)));
    assertEquals("RBX,RCX", where(l.results().get(1)));
  }

  @Test
  void smallIntegersTakeTheLowBytesOfTheirRegister() throws Exception {
    CallLayout l =
        layout(
            goFunc(
                "abi.Smalls",
                arg("ok", bool()),
                arg("i8", i8()),
                arg("u16", u16()),
                arg("i32", i32()),
                arg("u64", new Type(Type.Kind.UINT, "uint64", 8))));
    assertEquals("RAX/1", where(l.arguments().get(0)));
    assertEquals("RBX/1", where(l.arguments().get(1)));
    assertEquals("RCX/2", where(l.arguments().get(2)));
    assertEquals("RDI/4", where(l.arguments().get(3)));
    assertEquals("RSI", where(l.arguments().get(4)));
  }

  @Test
  void complexTakesTwoFloatRegistersAndFloatsOverflowToTheStack() throws Exception {
    List<Variable> params = new ArrayList<>();
    params.add(arg("c", c128()));
    for (int i = 0; i < 14; i++) params.add(arg("f" + i, f64()));
    CallLayout l = layout(goFunc("p.f", params.toArray(new Variable[0])));
    assertEquals("X0,X1 (XMM: not readable by uprobes)", where(l.arguments().get(0)));
    assertEquals("X14 (XMM: not readable by uprobes)", where(l.arguments().get(13)));
    assertEquals("stack [rsp+8] 8B", where(l.arguments().get(14)), "X0..X14 are 15 registers");
  }

  @Test
  void stackResultsFollowPointerAlignedArgumentArea() throws Exception {
    Type big = array(i64(), 2);
    CallLayout l =
        layout(goFunc("p.f", arg("a", array(u8(), 3)), res("r", big), res("e", error())));
    assertEquals("stack [rsp+8] 3B", where(l.arguments().get(0)));
    assertEquals("stack [rsp+16] 16B", where(l.results().get(0)));
    assertEquals("RAX,RBX", where(l.results().get(1)));
  }

  @Test
  void abi0PutsEverythingOnTheStack() throws Exception {
    CallLayout l =
        layout(
            goAbi0Func(
                "p.f",
                arg("a", i64()),
                arg("s", goString()),
                arg("b", u8()),
                res("n", i32()),
                res("err", error())));
    assertEquals("Go ABI0", l.convention());
    assertEquals("stack [rsp+8] 8B", where(l.arguments().get(0)));
    assertEquals("stack [rsp+16] 16B", where(l.arguments().get(1)));
    assertEquals("stack [rsp+32] 1B", where(l.arguments().get(2)));
    assertEquals(
        "stack [rsp+40] 4B",
        where(l.results().get(0)),
        "results start at the next pointer-aligned offset");
    assertEquals("stack [rsp+48] 16B", where(l.results().get(1)));
  }

  @Test
  void pointersMapsChansAndFuncsTakeOneRegister() throws Exception {
    Type map = new Type(Type.Kind.GO_MAP, "map[string]int", 8);
    Type chan = new Type(Type.Kind.GO_CHAN, "chan int", 8);
    Type fn = new Type(Type.Kind.FUNC, "func()", 8);
    CallLayout l =
        layout(goFunc("p.f", arg("p", ptr(i64())), arg("m", map), arg("c", chan), arg("f", fn)));
    assertEquals(
        List.of("RAX", "RBX", "RCX", "RDI"),
        l.arguments().stream().map(Location::describe).toList());
  }

  @Test
  void unknownTypesAreAClearError() {
    Type odd = new Type(Type.Kind.UNKNOWN, "weird", -1);
    ResolveException e =
        assertThrows(ResolveException.class, () -> layout(goFunc("p.f", arg("w", odd))));
    assertTrue(e.getMessage().contains("`w`") && e.getMessage().contains("weird"), e.getMessage());
  }

  @Test
  void cyclicTypedefChainIsAClearError() {
    Type a = new Type(Type.Kind.TYPEDEF, "A", -1);
    Type b = new Type(Type.Kind.TYPEDEF, "B", -1).target(a);
    a.target(b);
    ResolveException e =
        assertThrows(ResolveException.class, () -> layout(goFunc("p.f", arg("x", a))));
    assertTrue(e.getMessage().contains("cyclic"), e.getMessage());
  }

  @Test
  void absurdStackSizeIsRejected() {
    Type huge =
        new Type(Type.Kind.ARRAY, null, Long.MAX_VALUE / 2)
            .target(i64())
            .count(Long.MAX_VALUE / 16);
    ResolveException e =
        assertThrows(ResolveException.class, () -> layout(goFunc("p.f", arg("h", huge))));
    assertTrue(e.getMessage().contains("`h`"), e.getMessage());
  }

  @Test
  void shapeInstantiationTakesHiddenDictionaryFirst() throws Exception {
    CallLayout f =
        layout(
            goFunc("abi.Max[go.shape.int]", arg("a", i64()), arg("b", i64()), res("~r0", i64())));
    assertEquals(
        List.of("RBX", "RCX"),
        f.arguments().stream().map(Location::describe).toList(),
        "the unused .dict pointer (absent from optimised DWARF) still occupies RAX");
    assertEquals("RAX", where(f.results().get(0)));
    Type box = struct("p.Box[go.shape.int]", "v", i64());
    CallLayout m =
        layout(goFunc("p.(*Box[go.shape.int]).Get", arg("b", ptr(box)), arg("i", i64())));
    assertEquals(
        List.of("RAX", "RCX"),
        m.arguments().stream().map(Location::describe).toList(),
        "a method's dictionary follows its receiver");
    CallLayout closure = layout(goFunc("p.F[go.shape.int].func1", arg("x", i64())));
    assertEquals(
        List.of("RAX"),
        closure.arguments().stream().map(Location::describe).toList(),
        "closures in generic code reach the dictionary through their context");
    CallLayout eq =
        layout(goFunc("type:.eq.p.Box[go.shape.int]", arg("p", ptr(box)), arg("q", ptr(box))));
    assertEquals(List.of("RAX", "RBX"), eq.arguments().stream().map(Location::describe).toList());
    CallLayout withDict =
        layout(goFunc("abi.Max[go.shape.string]", arg(".dict", ptr(u8())), arg("a", goString())));
    assertEquals(
        List.of("RAX", "RBX,RCX"), withDict.arguments().stream().map(Location::describe).toList());
  }

  @Test
  void autogeneratedPointerWrapperWithoutReceiverInDwarfStillPassesItInRax() throws Exception {
    // sort.(*IntSlice).Less wraps IntSlice.Less; its DWARF lists only i and j.
    CallLayout l = layout(goFunc("sort.(*IntSlice).Less", arg("i", i64()), arg("j", i64())));
    assertEquals(List.of("RBX", "RCX"), l.arguments().stream().map(Location::describe).toList());
    Type svc = struct("shop.Service", "n", i64());
    CallLayout real =
        layout(goFunc("shop.(*Service).Login", arg("s", ptr(svc)), arg("u", goString())));
    assertEquals(
        List.of("RAX", "RBX,RCX"), real.arguments().stream().map(Location::describe).toList());
    CallLayout methodValue = layout(goFunc("p.(*T).M-fm", arg("x", i64())));
    assertEquals(
        List.of("RAX"),
        methodValue.arguments().stream().map(Location::describe).toList(),
        "method values take the receiver from the closure context");
  }
}
