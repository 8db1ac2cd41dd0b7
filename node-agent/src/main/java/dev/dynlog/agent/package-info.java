/**
 * The agent's run-time layer between a tracepoint spec and the tracer: it turns the shared model's
 * {@code ProbeSpec} into a plan and an attached probe, runs it for its lifetime and records its
 * rows in the store. {@link dev.dynlog.agent.ProbeSettings} says what a {@code ProbeSpec} means to
 * the planner ({@code PlanOptions}) and the tracer ({@code TraceOptions}, metric labels), the same
 * for every source of specs. {@link dev.dynlog.agent.StandaloneTracepoint} is a spec aimed at a pid
 * or an executable instead of pods; {@link dev.dynlog.agent.SpecFile} reads them from a {@code
 * dynlog run -f} YAML file, strictly, with the CRD's defaults and bounds ({@code SpecChecks}).
 * {@link dev.dynlog.agent.StandaloneSession} resolves every tracepoint before attaching anything
 * ({@code dwarf.DwarfBinary}, {@code plan.ProbePlanner}), then attaches, registers each in the
 * {@code store.TracepointRegistry} and detaches on ttl, target exit or Ctrl-C. {@link
 * dev.dynlog.agent.NodeAgent} does the same for a node's {@code TracepointAssignment}s and enforces
 * each one's CPU budget with a {@code CpuBudget} ({@code limits.maxCpuPercent}).
 *
 * <p>Redaction: {@link dev.dynlog.agent.RedactionGuard} refuses queries that filter on a value the
 * planner redacted; a node agent always applies the built-in list, a standalone tracepoint unless
 * {@code --no-redact} ({@link dev.dynlog.agent.StandaloneTracepoint#redaction()}).
 *
 * <p>May use: {@code dev.dynlog.api}, {@code dev.dynlog.dwarf}, {@code dev.dynlog.plan}, {@code
 * dev.dynlog.store}, {@code dev.dynlog.symbols}, {@code dev.dynlog.trace}. Libraries: Jackson
 * (YAML).
 */
package dev.dynlog.agent;
