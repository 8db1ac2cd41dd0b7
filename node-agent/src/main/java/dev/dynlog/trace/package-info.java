/**
 * Tracing a function of a running process: {@link dev.dynlog.trace.Tracer} (the loaded BPF object
 * and its reader thread), {@link dev.dynlog.trace.Probe} (one traced function in one target:
 * counters, rows delivered, detach; its kernel side is a {@code bpf.KernelProbe}), {@link
 * dev.dynlog.trace.Target} (a pid, or every process of the executable), {@link
 * dev.dynlog.trace.TraceOptions} (latency, rate limit, sampling, pairing timeout, histogram bounds,
 * symbolizer), and the shared contracts {@link dev.dynlog.trace.Row} and {@link
 * dev.dynlog.trace.ProbeCounters}.
 *
 * <p>{@code Tracer.attach} splits a {@code plan.ProbePlan}'s reads into the entry and return
 * recipes, writes them with a {@code bpf.ProbeConfig} under a new probe id, and attaches the entry
 * uprobe and, when latency or a result is wanted, the return probes (a uprobe on every RET for Go
 * and C++, a uretprobe for C). The reader thread polls the {@code bpf.RingBuffer} and hands each
 * event to the {@code CallAssembler} of its probe id, which joins an entry event with its return
 * event by sequence number and has the {@code ValueDecoder} turn the read records into values along
 * each capture's {@code plan.Decoder}; a value that cannot be read becomes an entry of {@code
 * Row.errors}, and the row is kept. {@link dev.dynlog.trace.RowJson} is the JSONL form of a row
 * used by the CLI, the query API and {@code dynlog events}.
 *
 * <p>Exact and sampled numbers: {@code ProbeCounters} are counted in the kernel for every call, so
 * calls, returns, errors and the latency histogram are exact whatever the rate limit or sampling;
 * rows are thinned by {@code maxEventsPerSecond} and {@code sampleRatio}. Every call that enters is
 * eventually counted as a return or a pairing eviction (a panic, a longjmp); when every call
 * returns, rows delivered + droppedRingFull + droppedRateLimited == calls, exactly.
 *
 * <p>CPU cost: {@link dev.dynlog.trace.TrapCalibration} measures what one uprobe hit costs on this
 * node for each {@code plan.SiteKind} of probed instruction ({@link dev.dynlog.trace.TrapCosts});
 * {@code Tracer.attach} prices each probe's hits by its entry instruction and return sites ({@code
 * Probe.trapNsPerHit}), which the node agent's CPU budget multiplies by the kernel-counted hits.
 *
 * <p>May use: {@code dev.dynlog.bpf}, {@code dev.dynlog.plan}, {@code dev.dynlog.recipe}, {@code
 * dev.dynlog.symbols}. Libraries: JNA (clock_gettime; open, mmap for the calibration page), Jackson
 * (JSON rows).
 */
package dev.dynlog.trace;
