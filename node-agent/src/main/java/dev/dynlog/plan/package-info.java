/**
 * From "function F of binary B, capture these expressions" to a {@link dev.dynlog.plan.ProbePlan}:
 * everything the tracer needs and nothing it has to look up again. No kernel, no root: a plan can
 * be made and printed ({@code dynlog inspect}) on any machine that has the binary.
 *
 * <p>{@link dev.dynlog.plan.ProbePlanner} finds the one function (overloads must be picked), gets
 * its {@code abi.CallLayout}, finds every RET through {@code x86.ReturnFinder}, reads the {@code
 * runtime.g} offsets (goid, stack.hi, sched.pc) used for Go pairing, and adds the read of a Go
 * {@code error} result's type word so the kernel can count errors. For each capture, the
 * package-private {@code ValuePlanner} parses the expression with the shared grammar ({@code
 * dev.dynlog.api.expr.ExprParser}), resolves names against parameters and results, and walks
 * fields, indexes and dereferences symbolically ({@code SymbolicValue} at a {@code Place}:
 * register/stack slots, or a dereference chain); {@code ValueExpander} then turns the value into
 * {@code recipe.Read}s and a {@link dev.dynlog.plan.Decoder} tree (one read per leaf; structs as
 * objects, arrays as lists) within the caps of {@link dev.dynlog.plan.PlanOptions} and {@code
 * recipe.RecipeLimits}. Each capture becomes a {@link dev.dynlog.plan.ValuePlan}, read at the entry
 * site or, when it names a result, at the return site. A constant index into a Go slice or string
 * also reads the length word in the same event, and a {@link dev.dynlog.plan.Decoder.Indexed} makes
 * an index past it an error rather than the neighbouring memory; an index past an array's DWARF
 * bound is refused when planning.
 *
 * <p>{@link dev.dynlog.plan.SiteKind} classifies the instruction at a probe site (push, NOP, {@code
 * endbr64}, branch, RET, other), which decides whether the kernel emulates it or single-steps it on
 * every hit, and so what a hit costs.
 *
 * <p>Plans are checked against real target binaries by executing their reads in gdb at the real
 * probe sites ({@code PlanOracleTest}) and comparing with each program's own printed values.
 *
 * <p>Redaction: a capture, or a struct field, whose name matches {@link
 * dev.dynlog.plan.PlanOptions#redaction()} is planned without reads ({@link
 * dev.dynlog.plan.Decoder.Redacted}, {@link dev.dynlog.plan.ValuePlan#redacted()}).
 *
 * <p>May use: {@code dev.dynlog.abi}, {@code dev.dynlog.api} (the capture grammar and the {@code
 * Capture} model), {@code dev.dynlog.recipe}, {@code dev.dynlog.symbols}, {@code dev.dynlog.types},
 * {@code dev.dynlog.x86}.
 */
package dev.dynlog.plan;
