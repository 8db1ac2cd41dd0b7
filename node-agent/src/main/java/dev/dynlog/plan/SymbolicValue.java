package dev.dynlog.plan;

import dev.dynlog.abi.TypeLayout;
import dev.dynlog.recipe.RecipeLimits;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.types.Type;
import java.util.List;

/**
 * A value while an expression is planned: where it is, its type, its source text for messages, and
 * its bit-field member if it is one.
 */
record SymbolicValue(Place place, Type type, String path, Type.Member bitField) {

  SymbolicValue(Place place, Type type, String path) {
    this(place, type, path, null);
  }

  /** The same value, marked as the bit-field {@code m} when it is one. */
  SymbolicValue withBitField(Type.Member m) {
    return m.isBitField() ? new SymbolicValue(place, type, path, m) : this;
  }

  /** A value {@code delta} bytes further into this one. */
  SymbolicValue at(long delta, Type fieldType, String fieldPath) {
    return new SymbolicValue(place.plus(delta), fieldType, fieldPath);
  }

  /** The value this pointer or reference refers to, named {@code targetPath}. */
  SymbolicValue deref(String targetPath) throws ResolveException {
    Type t = TypeLayout.stripped(type);
    Type target = t.target();
    if (target == null || TypeLayout.stripped(target).kind() == Type.Kind.VOID) {
      throw new ResolveException(
          "cannot dereference `"
              + path
              + "` of type `"
              + type.displayName()
              + "`: it points to void");
    }
    Place.Memory next;
    if (place instanceof Place.Memory m) {
      if (m.derefs().size() >= RecipeLimits.MAX_DEREFS) {
        throw new ResolveException(
            "`"
                + targetPath
                + "` needs more than "
                + RecipeLimits.MAX_DEREFS
                + " pointer dereferences; the probe follows at most "
                + RecipeLimits.MAX_DEREFS);
      }
      next = m.deref();
    } else {
      Place.RootBytes bytes = ((Place.Direct) place).rootBytes(8, path, type);
      if (bytes.unavailable() != null) throw new ResolveException(bytes.unavailable());
      if (bytes.finalOffset() != 0) {
        throw new ResolveException(
            "`" + path + "` is not pointer-aligned in its registers; cannot dereference it");
      }
      next = new Place.Memory(bytes.pieces(), List.of(), 0);
    }
    return new SymbolicValue(next, target, targetPath);
  }

  /**
   * Follows a C++ reference (transparent in expressions); other values are returned as they are.
   */
  SymbolicValue referent() throws ResolveException {
    return TypeShapes.isReference(TypeLayout.stripped(type)) ? deref(path) : this;
  }

  /** Where the value is, for people: registers/stack slots, or a dereference chain. */
  String describe() {
    if (place instanceof Place.Memory m) return m.describe();
    Place.Direct d = (Place.Direct) place;
    long size;
    try {
      size = Math.max(1, TypeLayout.size(type));
    } catch (ResolveException e) {
      size = 1;
    }
    return d.describe(size);
  }
}
