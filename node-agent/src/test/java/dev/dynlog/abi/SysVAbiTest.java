package dev.dynlog.abi;

import static dev.dynlog.abi.TestTypes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.symbols.Function;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.types.Type;
import java.util.List;
import org.junit.jupiter.api.Test;

/** System V x86-64 assignments worked out by hand from the psABI's classification rules. */
class SysVAbiTest {

  private static CallLayout layout(Function f) throws ResolveException {
    return CallingConvention.of(f).layout(f);
  }

  private static List<String> args(CallLayout l) {
    return l.arguments().stream().map(Location::describe).toList();
  }

  @Test
  void scalarsTakeRdiRsiRdxRcxR8R9ThenTheStack() throws Exception {
    CallLayout l =
        layout(
            cppFunc(
                "f",
                cLong(),
                arg("a", cLong()),
                arg("b", cInt()),
                arg("c", cChar()),
                arg("d", ptr(cChar())),
                arg("e", cLong()),
                arg("f", cLong()),
                arg("g", cInt()),
                arg("h", cLong())));
    assertEquals(
        List.of(
            "RDI", "RSI/4", "RDX/1", "RCX", "R8", "R9", "stack [rsp+8] 4B", "stack [rsp+16] 8B"),
        args(l));
    assertEquals("RAX", l.results().get(0).describe());
  }

  @Test
  void smallStructIntegerInteger() throws Exception {
    Type point = struct("Point", "x", cLong(), "y", cLong());
    CallLayout l = layout(cppFunc("f", point, arg("p", point), arg("n", cInt())));
    assertEquals(List.of("RDI,RSI", "RDX/4"), args(l));
    assertEquals("RAX,RDX", l.results().get(0).describe());
  }

  @Test
  void smallStructIntegerSse() throws Exception {
    Type s = struct("S", "id", cLong(), "weight", cDouble());
    CallLayout l = layout(cppFunc("f", s, arg("s", s), arg("n", cLong())));
    assertEquals(List.of("RDI,X0 (XMM: not readable by uprobes)", "RSI"), args(l));
    assertEquals("RAX,X0 (XMM: not readable by uprobes)", l.results().get(0).describe());
  }

  @Test
  void intAndFloatInOneEightbyteMergeToInteger() throws Exception {
    Type s = struct("S", "a", cInt(), "f", cFloat());
    CallLayout l = layout(cppFunc("f", null, arg("s", s)));
    assertEquals(List.of("RDI"), args(l));
  }

  @Test
  void twoFloatsInOneEightbyteAreSse() throws Exception {
    Type s = struct("V", "x", cFloat(), "y", cFloat(), "n", cLong());
    CallLayout l = layout(cppFunc("f", null, arg("v", s)));
    assertEquals(List.of("X0,RDI (XMM: not readable by uprobes)"), args(l));
  }

  @Test
  void largeStructIsMemoryOnTheStackAndDoesNotConsumeRegisters() throws Exception {
    Type big = struct("Big", "a", cLong(), "b", cLong(), "c", cLong());
    CallLayout l = layout(cppFunc("f", null, arg("n", cInt()), arg("big", big), arg("m", cLong())));
    assertEquals(List.of("RDI/4", "stack [rsp+8] 24B", "RSI"), args(l));
  }

  @Test
  void memoryResultUsesHiddenPointerInRdiShiftingArguments() throws Exception {
    Type big = struct("Big", "a", cLong(), "b", cLong(), "c", cLong());
    CallLayout l = layout(cppFunc("make", big, arg("a", cLong()), arg("b", cInt())));
    assertEquals(List.of("RSI", "RDX/4"), args(l));
    Location r = l.results().get(0);
    assertTrue(r.indirect());
    assertEquals("*RAX (returned in memory, RAX at return)", r.describe());
  }

  @Test
  void nonTriviallyCopyableClassIsPassedByInvisibleReference() throws Exception {
    Type cls = struct("Widget", "id", cLong()).callingConvention(4);
    CallLayout l =
        layout(
            cppFunc(
                "ns::take",
                null,
                self(ptr(struct("ns::Svc", "x", cLong()))),
                arg("w", cls),
                arg("n", cInt())));
    assertEquals(List.of("RDI", "*RSI (invisible reference)", "RDX/4"), args(l));
  }

  @Test
  void stdStringWithoutCallingConventionIsStillByReference() throws Exception {
    Type str =
        struct(
            "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >",
            "_M_dataplus",
            ptr(cChar()),
            "_M_string_length",
            cLong(),
            "_M_buf",
            array(cChar(), 16));
    Type holder = struct("Holder", "name", str);
    CallLayout l = layout(cppFunc("f", str, arg("h", holder)));
    assertEquals(
        List.of("*RSI (invisible reference)"), args(l), "std::string result takes RDI as sret");
    assertTrue(l.results().get(0).indirect());
  }

  @Test
  void explicitPassByValueWinsOverContents() throws Exception {
    Type cls = struct("Plain", "id", cLong()).callingConvention(5);
    assertEquals(List.of("RDI"), args(layout(cppFunc("f", null, arg("p", cls)))));
  }

  @Test
  void structNeedingTwoRegistersWhenOneIsLeftGoesToStackAndLaterScalarsStillUseRegisters()
      throws Exception {
    Type pair = struct("Pair", "a", cLong(), "b", cLong());
    CallLayout l =
        layout(
            cppFunc(
                "f",
                null,
                arg("a", cLong()),
                arg("b", cLong()),
                arg("c", cLong()),
                arg("d", cLong()),
                arg("e", cLong()),
                arg("p", pair),
                arg("z", cLong())));
    assertEquals(List.of("RDI", "RSI", "RDX", "RCX", "R8", "stack [rsp+8] 16B", "R9"), args(l));
  }

  @Test
  void referencesAreIntegerPointers() throws Exception {
    Type big = struct("Big", "a", cLong(), "b", cLong(), "c", cLong());
    CallLayout l = layout(cppFunc("f", cInt(), arg("r", ref(constOf(big)))));
    assertEquals(List.of("RDI"), args(l));
    assertEquals("RAX/4", l.results().get(0).describe());
  }

  @Test
  void longDoubleIsPassedInMemoryAlignedAndReturnedInX87() throws Exception {
    CallLayout l =
        layout(
            cppFunc(
                "f",
                longDouble(),
                arg("n", cInt()),
                arg("x", cInt()),
                arg("a", cInt()),
                arg("b", cInt()),
                arg("c", cInt()),
                arg("d", cInt()),
                arg("s", cInt()),
                arg("ld", longDouble())));
    assertEquals("stack [rsp+8] 4B", args(l).get(6));
    assertEquals("stack [rsp+24] 16B", args(l).get(7), "16-byte alignment");
    assertNotNull(l.results().get(0).unavailable());
  }

  @Test
  void unalignedPackedFieldForcesMemory() throws Exception {
    Type packed = new Type(Type.Kind.STRUCT, "Packed", 9);
    packed.addMember(new Type.Member("c", 0, cChar()));
    packed.addMember(new Type.Member("v", 1, cLong()));
    assertEquals(List.of("stack [rsp+8] 9B"), args(layout(cppFunc("f", null, arg("p", packed)))));
  }

  @Test
  void voidReturnHasNoResult() throws Exception {
    assertEquals(0, layout(cppFunc("f", new Type(Type.Kind.VOID, "void", 0))).results().size());
    assertEquals(0, layout(cppFunc("f", null)).results().size());
  }

  @Test
  void classWithUserDeclaredCopyOrDestructorIsByReferenceWhenTheProducerDoesNotSay()
      throws Exception {
    Type tag = struct("shop::Tag", "id", cInt(), "label", array(cChar(), 16));
    Function f = cppFunc("shop::tagId", cInt(), arg("t", tag), arg("extra", cInt()));
    assertEquals(
        List.of("stack [rsp+8] 20B", "RDI/4"),
        args(layout(f)),
        "20 bytes by value without the hint");
    CallLayout l = SysVAbi.withCopySemantics(t -> "shop::Tag".equals(t.name())).layout(f);
    assertEquals(List.of("*RDI (invisible reference)", "RSI/4"), args(l));
    Type holder = struct("shop::Holder", "tag", tag);
    Function g = cppFunc("shop::make", holder, arg("n", cInt()));
    CallLayout h = SysVAbi.withCopySemantics(t -> "shop::Tag".equals(t.name())).layout(g);
    assertTrue(
        h.results().get(0).indirect(),
        "a class holding such a member is returned through a hidden pointer");
    assertEquals(List.of("RSI/4"), args(h));
  }

  @Test
  void classWithVtablePointerIsByReference() throws Exception {
    Type base = new Type(Type.Kind.STRUCT, "Shape", 16);
    base.addMember(new Type.Member("_vptr.Shape", 0, ptr(ptr(cInt())), 0, 0, true));
    base.addMember(new Type.Member("id", 8, cLong()));
    assertEquals(
        List.of("*RDI (invisible reference)"), args(layout(cppFunc("f", null, arg("s", base)))));
  }
}
