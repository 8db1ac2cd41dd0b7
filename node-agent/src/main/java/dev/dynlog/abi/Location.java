package dev.dynlog.abi;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Where one argument or result lives at the probed PC, as the calling convention assigns it.
 *
 * <ul>
 *   <li>Direct: {@code slots} hold the value's bytes (registers, stack, or XMM pieces).
 *   <li>Indirect ({@code indirect} true): the single 8-byte slot holds the value's address, e.g. a
 *       C++ class passed by invisible reference, or a C struct returned in memory (RAX at return).
 *   <li>Empty: a zero-sized value, which occupies nothing.
 *   <li>Unavailable ({@code unavailable} non-null): the value exists but cannot be read at all.
 * </ul>
 *
 * @param slots the slots, ordered by value offset
 * @param indirect whether the slot holds a pointer to the value
 * @param note a short remark for people (e.g. "invisible reference"), or null
 * @param unavailable why the value cannot be read, or null
 */
public record Location(List<Slot> slots, boolean indirect, String note, String unavailable) {

  public Location {
    slots = List.copyOf(slots);
  }

  /** A zero-sized value. */
  public static final Location EMPTY = new Location(List.of(), false, "zero-sized", null);

  public static Location direct(List<Slot> slots) {
    return new Location(slots, false, null, null);
  }

  public static Location indirect(Slot pointer, String note) {
    return new Location(List.of(pointer), true, note, null);
  }

  public static Location unavailable(String why) {
    return new Location(List.of(), false, null, why);
  }

  public boolean onStack() {
    return !slots.isEmpty() && slots.stream().allMatch(s -> s.kind() == Slot.Kind.STACK);
  }

  /**
   * Human-readable form: {@code RBX,RCX}, {@code stack [rsp+8] 24B}, {@code *RDI (invisible
   * reference)}.
   */
  public String describe() {
    if (unavailable != null) return "unavailable: " + unavailable;
    if (slots.isEmpty()) return "none (" + note + ")";
    String text;
    if (indirect) {
      text = "*" + slots.get(0).where();
    } else if (onStack()) {
      Slot first = slots.get(0);
      Slot last = slots.get(slots.size() - 1);
      text =
          "stack [rsp+"
              + first.stackOffset()
              + "] "
              + (last.stackOffset() + last.size() - first.stackOffset())
              + "B";
    } else {
      text = slots.stream().map(Slot::toString).collect(Collectors.joining(","));
      if (slots.stream().anyMatch(s -> !s.readable())) text += " (XMM: not readable by uprobes)";
    }
    return note == null ? text : text + " (" + note + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
