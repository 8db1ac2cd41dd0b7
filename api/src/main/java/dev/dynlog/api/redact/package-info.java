/**
 * Name-based redaction of captured values: the built-in list of identifier names whose values are
 * secrets ({@code password}, {@code token}, {@code apiKey}, ...), the normaliser that compares
 * names written in any case and separator style, and the marker a redacted value shows. The node
 * agent's planner ({@code dev.dynlog.plan}) consults a {@link dev.dynlog.api.redact.Redaction} so
 * that a matching capture or field is never read; the operator's policy can later extend or reduce
 * the list through {@link dev.dynlog.api.redact.Redaction#with} and {@link
 * dev.dynlog.api.redact.Redaction#without}.
 *
 * <p>May use: no other dynlog package (the JDK only).
 */
package dev.dynlog.api.redact;
