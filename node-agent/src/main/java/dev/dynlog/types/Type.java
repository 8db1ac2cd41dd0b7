package dev.dynlog.types;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A language-neutral description of a type as the binary's debug information describes it.
 *
 * <p>Instances are built by the DWARF reader. They are mutable only while being built, so that
 * cyclic types (a struct holding a pointer to itself) can be represented: the reader registers a
 * {@code Type} under its DIE offset before resolving its children. After construction, treat them
 * as immutable.
 */
public final class Type {

  /** What a type is. Go-specific kinds are recognised from the Go linker's DWARF. */
  public enum Kind {
    VOID,
    BOOL,
    /** Signed integer, including C {@code char} when signed. */
    INT,
    /** Unsigned integer, including Go {@code uintptr} and {@code byte}. */
    UINT,
    FLOAT,
    COMPLEX,
    POINTER,
    /** C++ lvalue reference. */
    REFERENCE,
    /** C++ rvalue reference. */
    RVALUE_REFERENCE,
    /** struct or class; see {@link #members()}. */
    STRUCT,
    UNION,
    /** Fixed-size array; see {@link #count()} and {@link #target()}. */
    ARRAY,
    ENUM,
    /** typedef / Go named type alias chain; {@link #target()} is the aliased type. */
    TYPEDEF,
    /** const/volatile/restrict/atomic qualifier; {@link #target()} is the qualified type. */
    QUALIFIER,
    FUNC,
    /** Go {@code string}: struct {str *uint8; len int}. */
    GO_STRING,
    /** Go slice: struct {array *T; len int; cap int}; {@link #target()} is T. */
    GO_SLICE,
    /** Go interface (iface or eface): two words {tab/type, data}. */
    GO_INTERFACE,
    /** Go map: a pointer to the runtime's map header. */
    GO_MAP,
    /** Go channel: a pointer to runtime.hchan. */
    GO_CHAN,
    UNKNOWN
  }

  /** A struct, class or union member, at a byte offset within its parent. */
  public record Member(
      String name, long offset, Type type, int bitSize, int bitOffset, boolean artificial) {
    public Member(String name, long offset, Type type) {
      this(name, offset, type, 0, 0, false);
    }

    public boolean isBitField() {
      return bitSize > 0;
    }
  }

  /** An enumerator of an enum type. */
  public record Enumerator(String name, long value) {}

  private Kind kind;
  private String name;
  private long size = -1;
  private Type target;
  private long count = -1;
  private final List<Member> members = new ArrayList<>();
  private final List<Enumerator> enumerators = new ArrayList<>();

  /**
   * DWARF DW_AT_calling_convention of a class: 0 if absent, 4 pass_by_reference, 5 pass_by_value.
   */
  private int callingConvention;

  /**
   * A C++ class declares a user-provided destructor, copy constructor or move constructor (not
   * defaulted in the class, not deleted), which makes it non-trivial for the purpose of calls.
   */
  private boolean userProvidedCopyOrDestructor;

  private boolean declarationOnly;
  private long dieOffset = -1;

  public Type(Kind kind, String name, long size) {
    this.kind = kind;
    this.name = name;
    this.size = size;
  }

  public Kind kind() {
    return kind;
  }

  /**
   * The type's name as the source spells it (qualified for C++, package-qualified for Go), or null.
   */
  public String name() {
    return name;
  }

  /** Size in bytes, or -1 when the debug information does not say. */
  public long size() {
    return size;
  }

  /** The pointee, element, aliased or qualified type; null for void pointees. */
  public Type target() {
    return target;
  }

  /** Element count of an array, or -1 when unknown (flexible array). */
  public long count() {
    return count;
  }

  public List<Member> members() {
    return Collections.unmodifiableList(members);
  }

  public List<Enumerator> enumerators() {
    return Collections.unmodifiableList(enumerators);
  }

  /**
   * True when the class declares a user-provided destructor, copy constructor or move constructor,
   * as its member function declarations in the debug information show (they are there even when the
   * compiler inlined every call of them).
   */
  public boolean userProvidedCopyOrDestructor() {
    return userProvidedCopyOrDestructor;
  }

  public Type userProvidedCopyOrDestructor(boolean provided) {
    this.userProvidedCopyOrDestructor = provided;
    return this;
  }

  public int callingConvention() {
    return callingConvention;
  }

  public boolean declarationOnly() {
    return declarationOnly;
  }

  public long dieOffset() {
    return dieOffset;
  }

  // ---- builder-side mutators, used by the reader while constructing ----
  public Type kind(Kind k) {
    this.kind = k;
    return this;
  }

  public Type name(String n) {
    this.name = n;
    return this;
  }

  public Type size(long s) {
    this.size = s;
    return this;
  }

  public Type target(Type t) {
    this.target = t;
    return this;
  }

  public Type count(long c) {
    this.count = c;
    return this;
  }

  public Type addMember(Member m) {
    members.add(m);
    return this;
  }

  public Type addEnumerator(Enumerator e) {
    enumerators.add(e);
    return this;
  }

  public Type callingConvention(int cc) {
    this.callingConvention = cc;
    return this;
  }

  public Type declarationOnly(boolean d) {
    this.declarationOnly = d;
    return this;
  }

  public Type dieOffset(long o) {
    this.dieOffset = o;
    return this;
  }

  /** Follows typedefs and qualifiers (bounded, so a cyclic chain cannot loop forever). */
  public Type stripped() {
    Type t = this;
    for (int i = 0;
        i < 64 && t != null && (t.kind == Kind.TYPEDEF || t.kind == Kind.QUALIFIER);
        i++) {
      t = t.target;
    }
    return t;
  }

  /** Finds a member by name, or null. */
  public Member member(String memberName) {
    for (Member m : members) {
      if (memberName.equals(m.name())) return m;
    }
    return null;
  }

  /** A short human-readable name: the declared name, or one built from the structure. */
  public String displayName() {
    return displayName(0);
  }

  private String displayName(int depth) {
    if (name != null) return name;
    if (depth > 8) return "...";
    String inner = target == null ? "void" : target.displayName(depth + 1);
    return switch (kind) {
      case POINTER -> inner + " *";
      case REFERENCE -> inner + " &";
      case RVALUE_REFERENCE -> inner + " &&";
      case ARRAY -> inner + "[" + (count < 0 ? "" : count) + "]";
      case QUALIFIER, TYPEDEF -> inner;
      case VOID -> "void";
      default -> "<" + kind.name().toLowerCase() + ">";
    };
  }

  @Override
  public String toString() {
    return displayName();
  }
}
