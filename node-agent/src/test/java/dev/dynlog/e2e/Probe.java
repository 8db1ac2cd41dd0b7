package dev.dynlog.e2e;

import static dev.dynlog.e2e.Check.arg;
import static dev.dynlog.e2e.Check.error;
import static dev.dynlog.e2e.Check.exact;
import static dev.dynlog.e2e.Check.index;
import static dev.dynlog.e2e.Check.result;
import static dev.dynlog.e2e.Check.unavailable;

import java.util.List;

/**
 * A function the end-to-end tests trace, the captures they ask for, and which ground-truth lines
 * are its calls.
 *
 * @param name the tracepoint's name
 * @param function the function as given to dynlog
 * @param truthFn the {@code fn} of its ground-truth lines
 * @param truthSignature the {@code signature} of its ground-truth lines (C++ overloads), or null
 * @param checks the captures
 */
record Probe(
    String name, String function, String truthFn, String truthSignature, List<Check> checks) {

  static Probe go(String name, String fn, Check... checks) {
    String q = "dynlog.dev/targets/" + fn;
    return new Probe(name, q, q, null, List.of(checks));
  }

  static Probe cpp(String name, String fn, Check... checks) {
    return new Probe(name, fn, fn, null, List.of(checks));
  }

  /**
   * A C++ overload: picked for dynlog by its parameter types; the target spells its signature its
   * own way.
   */
  static Probe overload(String name, String function, String truthSignature, Check... checks) {
    String fn = function.substring(0, function.indexOf('('));
    return new Probe(name, function, fn, truthSignature, List.of(checks));
  }

  /**
   * The Go target's functions: structs by value in registers and on the stack, strings, slices,
   * chains, methods, errors, recursion.
   */
  static final List<Probe> GO =
      List.of(
          go(
              "login",
              "shop.(*Service).Login",
              arg("username"),
              result(0, "~r0"),
              error("$1", "$1", "results.~r1")),
          go(
              "sum",
              "shop.Sum",
              arg("l"),
              arg("r"),
              exact("r.Units", "r.Units", "args.r.Units"),
              result(0, "~r0"),
              error("$1", "$1", "results.~r1")),
          go(
              "handle",
              "shop.(*Service).Handle",
              exact("req.ID", "req.ID", "args.req.ID"),
              new Check(
                  "req.User.Name",
                  "req.User.Name",
                  "args.req.User.Name",
                  Check.Kind.EXACT_OR_NIL_ERROR),
              result(0, "~r0"),
              error("$1", "$1", "results.~r1")),
          go("total", "shop.Cart.Total", arg("c"), arg("price"), result(0, "~r0")),
          go(
              "add",
              "shop.(*Cart).Add",
              exact("c.Owner", "c.Owner", "args.c.Owner"),
              exact("c.Items", "c.Items", "args.c.Items"),
              arg("n"),
              result(0, "~r0")),
          go(
              "lookup",
              "shop.(*Service).Lookup",
              arg("id"),
              exact("name", "name", "results.name"),
              exact("found", "found", "results.found"),
              error("err", "err", "results.err")),
          go("normalize", "shop.Normalize", arg("raw"), result(0, "~r0")),
          go("fillnine", "abi.FillNine", arg("s"), result(0, "~r0")),
          go("spill", "abi.Spill", arg("a"), arg("t"), arg("b"), result(0, "~r0")),
          go(
              "makepair",
              "abi.MakePair",
              arg("x"),
              result(0, "~r0"),
              error("$1", "$1", "results.~r1")),
          go(
              "mixit",
              "abi.MixIt",
              exact("m.A", "m.A", "args.m.A"),
              exact("m.B", "m.B", "args.m.B"),
              unavailable("m.F", "m.F", "args.m.F"),
              result(0, "~r0")),
          go(
              "zeroed",
              "abi.Zeroed",
              exact("z.A", "z.A", "args.z.A"),
              exact("z.B", "z.B", "args.z.B"),
              result(0, "~r0")),
          go("arrays", "abi.Arrays", arg("one"), arg("two"), arg("c"), result(0, "~r0")),
          go(
              "strs",
              "abi.Strs",
              arg("s"),
              arg("b"),
              // Strs is called with "gopher", "bytes!", [1 2 3+i] and with "g", nil, [7+i]
              index("xs[2]", "args.xs[2]"),
              index("s[1]", "args.s[1]"),
              index("s[10]", "args.s[10]"),
              index("b[0]", "args.b[0]"),
              new Check("len(xs)", "len(xs)", "args.xs", Check.Kind.LENGTH),
              result(0, "~r0"),
              result(1, "~r1")),
          go(
              "scale",
              "abi.Scale",
              unavailable("x", "x", "args.x"),
              arg("k"),
              unavailable("$0", "$0", "results.~r0")),
          go(
              "smalls",
              "abi.Smalls",
              arg("ok"),
              arg("i8"),
              arg("u16"),
              arg("i32"),
              arg("u64"),
              result(0, "~r0")),
          go("classify", "abi.Classify", arg("l"), result(0, "~r0")),
          go("maxint", "abi.Max[go.shape.int]", arg("a"), arg("b"), result(0, "~r0")),
          go("maxstring", "abi.Max[go.shape.string]", arg("a"), arg("b"), result(0, "~r0")),
          go("fib", "stress.Fib", arg("n"), result(0, "~r0")));

  /**
   * The C++ target's functions: System V classes, sret, invisible references, this, std::string,
   * overloads.
   */
  static final List<Probe> CPP =
      List.of(
          cpp("login", "login", arg("user"), result(0, "$0")),
          cpp(
              "count",
              "shop::Cart::count",
              exact("this.owner", "this.owner", "args.this.owner"),
              exact("this.items", "this.items", "args.this.items"),
              result(0, "$0")),
          cpp(
              "add",
              "shop::Cart::add",
              exact("this.items", "this.items", "args.this.items"),
              arg("n"),
              result(0, "$0")),
          cpp(
              "total",
              "shop::Cart::total",
              exact("this.cents", "this.cents", "args.this.cents"),
              arg("discount"),
              result(0, "$0")),
          cpp(
              "describe",
              "shop::Cart::describe",
              exact("this.owner", "this.owner", "args.this.owner"),
              arg("prefix"),
              result(0, "$0")),
          cpp("addmoney", "shop::addMoney", arg("a"), arg("b"), result(0, "$0")),
          cpp("sumbig", "shop::sumBig", arg("head"), arg("b"), arg("tail"), result(0, "$0")),
          cpp("makebig", "shop::makeBig", arg("seed"), result(0, "$0")),
          cpp(
              "mixedtotal",
              "shop::mixedTotal",
              exact("m.count", "m.count", "args.m.count"),
              unavailable("m.price", "m.price", "args.m.price"),
              unavailable("$0", "$0", "results.$0")),
          cpp(
              "tagid",
              "shop::tagId",
              exact("t.id", "t.id", "args.t.id"),
              exact("t.label", "t.label", "args.t.label"),
              index("t.label[1]", "args.t.label[1]"),
              arg("extra"),
              result(0, "$0")),
          cpp("bump", "shop::bump", arg("counter"), arg("by"), result(0, "$0")),
          overload("price_int", "shop::price(int)", "shop::price(int)", arg("n"), result(0, "$0")),
          overload(
              "price_str",
              "shop::price(const char *)",
              "shop::price(const char*)",
              arg("code"),
              result(0, "$0")),
          overload(
              "price_double",
              "shop::price(double)",
              "shop::price(double)",
              unavailable("weight", "weight", "args.weight"),
              result(0, "$0")),
          cpp(
              "scale",
              "shop::scale",
              unavailable("x", "x", "args.x"),
              arg("k"),
              unavailable("$0", "$0", "results.$0")),
          cpp("fact", "shop::fact", arg("n"), result(0, "$0")),
          cpp("ratio", "shop::ratio", arg("a"), arg("b"), result(0, "$0")));
}
