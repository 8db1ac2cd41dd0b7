/**
 * The {@code dynlog} command (picocli), the top of the node agent: {@link dev.dynlog.cli.Main} and
 * its subcommands {@link dev.dynlog.cli.InspectCommand} (list a binary's functions, or show one
 * function's signature, locations, entry and RET addresses and the plan of each expression), {@link
 * dev.dynlog.cli.TraceCommand} (one function from the command line), {@link
 * dev.dynlog.cli.RunCommand} (the tracepoints of a spec file) and {@link
 * dev.dynlog.cli.EventsCommand} (a client of an agent's query API). Trace and run build {@code
 * agent.StandaloneTracepoint}s, and the package-private {@code Sessions} wires a {@code
 * agent.StandaloneSession} to the row printer ({@code TraceOutput}, {@link dev.dynlog.cli.RowTable}
 * or JSONL), the store and, with {@code --http}, the metrics and the HTTP server. Errors are one
 * line; {@code DYNLOG_DEBUG=1} adds libbpf's log and the stack trace.
 *
 * <p>May use: {@code dev.dynlog.abi}, {@code dev.dynlog.agent}, {@code dev.dynlog.api}, {@code
 * dev.dynlog.dwarf}, {@code dev.dynlog.http}, {@code dev.dynlog.metrics}, {@code dev.dynlog.plan},
 * {@code dev.dynlog.query}, {@code dev.dynlog.recipe}, {@code dev.dynlog.store}, {@code
 * dev.dynlog.symbols}, {@code dev.dynlog.trace}, {@code dev.dynlog.types}. Libraries: picocli,
 * Jackson.
 */
package dev.dynlog.cli;
