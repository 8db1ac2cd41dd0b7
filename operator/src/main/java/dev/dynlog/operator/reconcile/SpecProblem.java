package dev.dynlog.operator.reconcile;

/**
 * Something wrong with a Tracepoint spec that the API server's schema cannot see.
 *
 * @param reason CamelCase reason for the Valid condition and the Event (e.g.
 *     InvalidCaptureExpression)
 * @param message what is wrong and where, for people
 */
public record SpecProblem(String reason, String message) {
}
