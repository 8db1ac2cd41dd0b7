/**
 * dynlog's kernel side, and the thin layer that drives it: the one precompiled BPF object ({@code
 * src/main/bpf/dynlog.bpf.c}, compiled by the build with {@code clang -target bpf}, embedded as
 * {@code /bpf/dynlog.bpf.o}), loaded through libbpf with JNA.
 *
 * <h2>Probes are data</h2>
 *
 * The kernel side of a probe is a probe id (0..511) with a configuration ({@code probes} map:
 * flags, runtime.g offsets, token bucket, sampling threshold, latency bucket bounds) and two
 * recipes, one per site ({@code recipes} map, key {@code id * 2 + site}): the {@link
 * dev.dynlog.recipe.Read}s performed at entry and at return, encoded by {@link
 * dev.dynlog.bpf.RecipeEncoder}. {@link dev.dynlog.bpf.ProbeTable} hands out probe ids; a {@link
 * dev.dynlog.bpf.KernelProbe} writes one id's maps and attaches the programs {@code dynlog_entry}
 * and {@code dynlog_return} as uprobes with the id as attach cookie. Adding a probe is map writes
 * plus attaches, never a reload. The uprobes of a site are one uprobe_multi link ({@code
 * UprobeMulti}, Linux 6.6+: fast to detach), or one perf-event link each where the kernel lacks
 * them; {@link dev.dynlog.bpf.UprobeLink} holds either. Limits ({@link
 * dev.dynlog.recipe.RecipeLimits}, the C side's {@code enum limits}): 16 reads per site, 4 root
 * pieces and 4 dereferences per read, 512 bytes per read (longer strings are cut and marked
 * truncated).
 *
 * <h2>Pairing</h2>
 *
 * Go: an entry uprobe and a uprobe on every RET (never a uretprobe); key (tgid, probe, goid,
 * g.stack.hi - sp), which survives stack copying and recursion. An entry that finds its key taken
 * is either a restart by runtime.morestack (within a second of the entry, g.sched.pc points at the
 * prologue's reload-and-jump back to this entry: same call, not counted again) or a stale entry of
 * a call that never returned (a recovered panic): replaced and counted. Known limit: a recovered
 * panic in a recursion that grows its stack, followed within a second by a new call at the panicked
 * frame's depth, is taken for a restart (one call too few, no eviction counted). C++: a uprobe on
 * every RET as well (a uretprobe breaks exception unwinding); C: a uretprobe; key (tgid, probe,
 * tid, entry sp). The pairing map (65,536 entries) is kept bounded by a user-space sweeper that
 * evicts entries older than the pairing timeout and counts them.
 *
 * <h2>Events</h2>
 *
 * Entry and return are separate events in one {@code BPF_MAP_TYPE_RINGBUF} (8 MiB), joined in user
 * space by a per-call sequence number: the entry event carries the entry captures, the return event
 * the results and the latency. A probe with neither latency nor return captures has no return
 * probes and its entry events are complete rows. The reader is woken only past a 256 KiB backlog
 * and otherwise polls every 10 ms (no per-event wakeup). {@link dev.dynlog.bpf.RingBuffer} reads
 * the mmapped ring directly. Layouts: {@link dev.dynlog.bpf.Layout}, checked against the object's
 * BTF by a test.
 *
 * <h2>Accounting</h2>
 *
 * Per probe and per CPU, for every call whether or not its row is emitted: calls, returns, non-nil
 * Go errors, latency sum and histogram, drops by reason (ring full, rate limited or sampled out,
 * pairing map full, stale entries replaced), morestack restarts, unpaired returns, program
 * invocations. Rate limiting is a GCRA token bucket (burst = one second's worth) after a per-call
 * sampling decision. Each program run is timed with {@code bpf_ktime_get_ns} and charged to its
 * probe ({@code probe_stats.run_ns}), so a tracepoint's BPF cost is measured, not apportioned.
 *
 * <p>May use: {@code dev.dynlog.recipe}. Libraries: JNA (libbpf 1.x and libc).
 */
package dev.dynlog.bpf;
