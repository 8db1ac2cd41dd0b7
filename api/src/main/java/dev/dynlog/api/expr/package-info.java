/**
 * The capture-expression grammar: the one parser of the text in a capture's {@code expr} ({@code
 * req.User.Name}, {@code *p}, {@code $0}, {@code len(items)}, {@code cap(s)}, {@code buf[3]},
 * {@code p->field}, parentheses). The operator uses it to reject a bad expression in a Tracepoint's
 * status; the node agent's planner ({@code dev.dynlog.plan.ValuePlanner}) parses with it too, so
 * both always accept the same texts.
 *
 * <p>Main types: {@link dev.dynlog.api.expr.ExprParser} (recursive descent, bounded in length and
 * nesting, errors naming the column and what was expected), {@link dev.dynlog.api.expr.CaptureExpr}
 * (the syntax tree: {@code Name}, {@code Result}, {@code Field}, {@code Deref}, {@code Index},
 * {@code Len}, {@code Cap}) and {@link dev.dynlog.api.expr.ExprSyntaxException}. Only syntax lives
 * here: what a name means (a parameter, its type, where it lives) is the planner's business.
 *
 * <p>May use: no other dynlog package (the JDK only).
 */
package dev.dynlog.api.expr;
