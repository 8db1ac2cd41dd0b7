package dev.dynlog.api.v1alpha1;

/**
 * Something wrong with a Tracepoint spec: a condition reason, and what is wrong where.
 *
 * @param reason CamelCase reason for the Valid condition and the Event (e.g.
 *     InvalidCaptureExpression)
 * @param message what is wrong and where, for people
 */
public record SpecProblem(String reason, String message) {}
