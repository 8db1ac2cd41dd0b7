package dev.dynlog.plan;

import dev.dynlog.abi.TypeLayout;
import dev.dynlog.recipe.Read;
import dev.dynlog.recipe.RecipeLimits;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.types.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * Expands a resolved value into primitive reads and a decoder tree: one read per leaf (integers,
 * strings, pointers...), structs as JSON objects and arrays as JSON arrays, within the depth,
 * field, element and read caps of {@link PlanOptions}. Leaves that live in XMM registers become
 * {@link Decoder.Unavailable}.
 */
final class ValueExpander {

  private static final Type INT = new Type(Type.Kind.INT, "int", 8);
  private static final int MAX_FLATTEN = 8;

  private final PlanOptions options;
  private final List<Read> reads = new ArrayList<>();
  private final List<ValuePlan.Redacted> redacted = new ArrayList<>();
  private final int limit;
  private boolean starved;

  /** An expander that may add at most {@code limit} reads. */
  ValueExpander(PlanOptions options, int limit) {
    this.options = options;
    this.limit = limit;
  }

  List<Read> reads() {
    return reads;
  }

  /**
   * The fields left unread because their names match the redaction list, with their paths in the
   * expression's words ({@code creds.token}).
   */
  List<ValuePlan.Redacted> redacted() {
    return redacted;
  }

  /** True when some leaf got no read because the budget was spent. */
  boolean starved() {
    return starved;
  }

  /**
   * Adds the read of the 8-byte length word at {@code place} (a slice or string header's {@code
   * len}, named {@code path} in messages) that an index is checked against; returns its index, or
   * -1 when out of reads.
   */
  int length(Place place, String path) throws ResolveException {
    return scalar(new SymbolicValue(place, INT, path), 8);
  }

  /** The decoder of {@code s}, adding its reads; {@code depth} counts enclosing structs. */
  Decoder decode(SymbolicValue s, int depth) throws ResolveException {
    try {
      return expand(s, depth);
    } catch (Unreadable u) {
      return new Decoder.Unavailable(u.getMessage());
    }
  }

  private Decoder expand(SymbolicValue s, int depth) throws ResolveException {
    if (s.bitField() != null) {
      return new Decoder.Unavailable(
          "`"
              + s.path()
              + "` is a bit-field ("
              + s.bitField().bitSize()
              + " bits); bit-fields are not supported");
    }
    Type declared = s.type();
    Type t = TypeLayout.stripped(declared);
    long size = TypeLayout.size(t);
    switch (t.kind()) {
      case BOOL -> {
        int r = scalar(s, 1);
        return r < 0 ? starvedDecoder() : new Decoder.Bool(r);
      }
      case INT, UINT -> {
        if (size < 1 || size > 16)
          return new Decoder.Unavailable("`" + s.path() + "`: unsupported integer width " + size);
        int r = scalar(s, (int) size);
        if (r < 0) return starvedDecoder();
        return t.kind() == Type.Kind.INT
            ? new Decoder.SignedInt(r, (int) size)
            : new Decoder.UnsignedInt(r, (int) size);
      }
      case ENUM -> {
        int r = scalar(s, (int) size);
        if (r < 0) return starvedDecoder();
        boolean signed =
            t.target() == null || TypeLayout.stripped(t.target()).kind() != Type.Kind.UINT;
        List<String> names = new ArrayList<>();
        List<Long> values = new ArrayList<>();
        for (Type.Enumerator en : t.enumerators()) {
          names.add(en.name());
          values.add(en.value());
        }
        return new Decoder.Enum(r, (int) size, signed, names, values);
      }
      case FLOAT -> {
        if (size != 4 && size != 8) {
          return new Decoder.Unavailable(
              "`" + s.path() + "`: " + size + "-byte floats are not decoded");
        }
        int r = scalar(s, (int) size);
        return r < 0 ? starvedDecoder() : new Decoder.Float(r, (int) size);
      }
      case COMPLEX -> {
        int half = (int) (size / 2);
        if (half != 4 && half != 8)
          return new Decoder.Unavailable(
              "`" + s.path() + "`: complex of " + size + " bytes is not decoded");
        Type part = new Type(Type.Kind.FLOAT, half == 4 ? "float32" : "float64", half);
        Decoder re = decode(new SymbolicValue(s.place(), part, "real(" + s.path() + ")"), depth);
        Decoder im =
            decode(new SymbolicValue(s.place().plus(half), part, "imag(" + s.path() + ")"), depth);
        return new Decoder.Struct(List.of("real", "imag"), List.of(re, im));
      }
      case POINTER -> {
        if (TypeShapes.isCString(t)) {
          int r = read(s, 8, Read.Kind.C_STRING, options.stringCap());
          return r < 0 ? starvedDecoder() : new Decoder.Text(r);
        }
        int r = scalar(s, 8);
        return r < 0 ? starvedDecoder() : new Decoder.Pointer(r);
      }
      case GO_MAP, GO_CHAN, FUNC -> {
        int r = scalar(s, 8);
        return r < 0 ? starvedDecoder() : new Decoder.Pointer(r);
      }
      case REFERENCE, RVALUE_REFERENCE -> {
        return decode(s.deref(s.path()), depth);
      }
      case GO_STRING -> {
        int r = read(s, 16, Read.Kind.GO_STRING, options.stringCap());
        return r < 0 ? starvedDecoder() : new Decoder.Text(r);
      }
      case GO_SLICE -> {
        if (TypeShapes.isByteSlice(t)) {
          int r = read(s, 24, Read.Kind.GO_SLICE, options.stringCap());
          return r < 0 ? starvedDecoder() : new Decoder.Text(r);
        }
        Decoder len =
            decode(new SymbolicValue(s.place().plus(8), INT, "len(" + s.path() + ")"), depth);
        Decoder cap =
            decode(new SymbolicValue(s.place().plus(16), INT, "cap(" + s.path() + ")"), depth);
        return new Decoder.Struct(List.of("len", "cap"), List.of(len, cap));
      }
      case GO_INTERFACE -> {
        int r = read(s, 16, Read.Kind.BYTES, 0);
        if (r < 0) return starvedDecoder();
        if ("error".equals(declared.name())) {
          // the data word points at the error's value; its first field is the message for the
          // standard library's errors.New and fmt.Errorf types
          Type message =
              new Type(Type.Kind.POINTER, null, 8)
                  .target(new Type(Type.Kind.GO_STRING, "string", 16));
          SymbolicValue data = s.at(8, message, s.path() + ".data");
          int m =
              data.place() instanceof Place.Memory mem
                      && mem.derefs().size() >= RecipeLimits.MAX_DEREFS
                  ? -1
                  : read(
                      data.deref(s.path() + ".message"),
                      16,
                      Read.Kind.GO_STRING,
                      options.stringCap());
          if (m >= 0) return new Decoder.GoError(r, m);
        }
        return new Decoder.GoInterface(r);
      }
      case STRUCT -> {
        if (TypeShapes.isStdString(declared)) {
          int r = read(s, 16, Read.Kind.STD_STRING, options.stringCap());
          return r < 0 ? starvedDecoder() : new Decoder.Text(r);
        }
        if (depth >= options.maxDepth() && size > 0) {
          return new Decoder.Elided(
              TypeShapes.name(t, declared) + " deeper than " + options.maxDepth() + " levels");
        }
        List<String> names = new ArrayList<>();
        List<Decoder> fields = new ArrayList<>();
        expandMembers(s, t, depth, names, fields, 0);
        return new Decoder.Struct(names, fields);
      }
      case ARRAY -> {
        Type elem = t.target();
        long n = t.count() < 0 ? 0 : t.count();
        List<Decoder> elements = new ArrayList<>();
        if (n == 0 || elem == null) return new Decoder.Array(elements);
        if (TypeShapes.isCharType(elem)) {
          int r = read(s, (int) Math.min(n, options.stringCap()), Read.Kind.BYTES, 0);
          return r < 0 ? starvedDecoder() : new Decoder.CharArray(r);
        }
        if (depth >= options.maxDepth() + 1) {
          return new Decoder.Elided(
              TypeShapes.name(t, declared) + " deeper than " + options.maxDepth() + " levels");
        }
        long elemSize = TypeLayout.size(elem);
        for (long i = 0; i < n; i++) {
          if (i == options.maxElements()) {
            elements.add(new Decoder.Elided((n - i) + " more elements"));
            break;
          }
          elements.add(
              decode(
                  new SymbolicValue(s.place().plus(i * elemSize), elem, s.path() + "[" + i + "]"),
                  depth + 1));
        }
        return new Decoder.Array(elements);
      }
      case UNION -> {
        return new Decoder.Elided(
            "union `"
                + TypeShapes.name(t, declared)
                + "` is not decoded; capture one of its members");
      }
      case VOID -> {
        return new Decoder.Unavailable("`" + s.path() + "` has type void");
      }
      default -> {
        return new Decoder.Unavailable(
            "`"
                + s.path()
                + "` has a type the debug information does not describe ("
                + declared.displayName()
                + ")");
      }
    }
  }

  /**
   * Adds the decoders of a struct's named fields; base classes (and anonymous members) are
   * flattened into their derived struct, vtable pointers and padding names skipped, the field cap
   * applied.
   */
  private void expandMembers(
      SymbolicValue s, Type t, int depth, List<String> names, List<Decoder> fields, int nesting)
      throws ResolveException {
    for (Type.Member m : t.members()) {
      if (names.size() > options.maxFields()) return;
      Type mt = TypeLayout.stripped(m.type());
      boolean aggregate = mt.kind() == Type.Kind.STRUCT || mt.kind() == Type.Kind.UNION;
      boolean unnamed = m.name() == null || m.name().isEmpty();
      if (aggregate
          && (unnamed || m.artificial())
          && mt.kind() == Type.Kind.STRUCT
          && nesting < MAX_FLATTEN) {
        expandMembers(
            new SymbolicValue(s.place().plus(m.offset()), m.type(), s.path()),
            mt,
            depth,
            names,
            fields,
            nesting + 1);
        continue;
      }
      if (m.artificial() || unnamed || m.name().equals("_")) continue;
      if (names.size() == options.maxFields()) {
        names.add("…");
        fields.add(new Decoder.Elided("more fields than the cap of " + options.maxFields()));
        return;
      }
      names.add(m.name());
      String entry = options.redaction().match(m.name());
      if (entry != null) {
        // planned as not read: no read of these bytes reaches the recipe
        String rule =
            "redacted: field `" + m.name() + "` matches the redaction list (" + entry + ")";
        redacted.add(new ValuePlan.Redacted(s.path() + "." + m.name(), rule));
        fields.add(new Decoder.Redacted(rule));
        continue;
      }
      SymbolicValue f =
          new SymbolicValue(s.place().plus(m.offset()), m.type(), s.path() + "." + m.name())
              .withBitField(m);
      fields.add(decode(f, depth + 1));
    }
  }

  private Decoder starvedDecoder() {
    return new Decoder.Elided(
        "read limit: at most "
            + Math.min(options.maxReadsPerValue(), options.maxReadsPerProbe())
            + " reads per value and "
            + options.maxReadsPerProbe()
            + " per probe");
  }

  private int scalar(SymbolicValue s, int size) throws ResolveException {
    return read(s, size, Read.Kind.BYTES, 0);
  }

  /**
   * Adds the read of {@code size} bytes of {@code s}; returns its index, -1 when out of reads, or
   * throws an {@link Unreadable} carrying the reason when the bytes are in XMM registers.
   */
  private int read(SymbolicValue s, int size, Read.Kind kind, int cap) throws ResolveException {
    Read r;
    if (s.place() instanceof Place.Memory m) {
      r = new Read(m.root(), true, m.derefs(), m.offset(), size, kind, cap);
    } else {
      Place.RootBytes b = ((Place.Direct) s.place()).rootBytes(size, s.path(), s.type());
      if (b.unavailable() != null) throw new Unreadable(b.unavailable());
      r = new Read(b.pieces(), false, List.of(), b.finalOffset(), size, kind, cap);
    }
    if (reads.size() >= limit) {
      starved = true;
      return -1;
    }
    reads.add(r);
    return reads.size() - 1;
  }

  /**
   * Thrown inside expansion when a leaf is in an XMM register; becomes a {@link
   * Decoder.Unavailable}.
   */
  private static final class Unreadable extends ResolveException {
    Unreadable(String message) {
      super(message);
    }
  }
}
