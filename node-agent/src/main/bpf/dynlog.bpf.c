// SPDX-License-Identifier: GPL-2.0
/*
 * dynlog's one precompiled BPF object. Probes are data: a probe's recipe (which bytes to read at
 * entry and at return) lives in BPF maps, selected by the uprobe's attach cookie (= probe id).
 * Adding a probe is a map write plus an attach; this object is never regenerated or reloaded.
 *
 * Programs:
 *   dynlog_entry  - uprobe at a function's entry
 *   dynlog_return - uprobe on every Go RET instruction, or uretprobe for C/C++
 *   dynlog_empty  - does nothing (benchmark floor)
 *
 * Entry and return are separate ring buffer events joined in user space by a per-call sequence
 * number. Entry/return pairing (for latency) happens here, per goroutine frame for Go
 * (tgid, goid, g.stack.hi - sp) and per thread frame for C (tgid, tid, entry sp).
 *
 * The layouts below are mirrored byte for byte by dev.dynlog.bpf.Layout.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef __s8 s8;
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __s32 s32;
typedef __u64 u64;
typedef __s64 s64;

/* x86-64 struct pt_regs (stable user-visible layout; offsets as in dev.dynlog.recipe.Register). */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di;
	unsigned long orig_ax, ip, cs, flags, sp, ss;
};

/*
 * What the program executes per probe hit at most. dev.dynlog.recipe.RecipeLimits holds the same
 * values (LayoutTest checks them against this enum in the object's BTF).
 */
enum limits {
	MAX_PROBES = 512,
	MAX_READS = 16,		 /* reads per probe site */
	MAX_PIECES = 4,		 /* register/stack pieces per read */
	MAX_DEREFS = 4,		 /* dereferences per read */
	MAX_VALUE_BYTES = 512,	 /* bytes one read delivers (fixed size or string cap) */
	MAX_ROOT_BYTES = 512,	 /* root buffer a read assembles from its pieces */
	MAX_LATENCY_BOUNDS = 32, /* latency histogram bounds */
	MAX_GROUPS = 1024,	 /* process groups (containers) a filtered probe may allow */
	MAX_PROCESSES = 65536,	 /* processes that belong to a group */
};

#define DATA_MASK	  1023	/* verifier bound of one read's data (> MAX_VALUE_BYTES) */
#define EVENT_MAX	  16384 /* event buffer; offsets masked with EVENT_MAX - 1 */
#define RESTART_WINDOW_NS 1000000000ULL
#define WAKEUP_BYTES	  (256 << 10) /* wake the reader only past this backlog; it also polls */

enum piece_source { SRC_REGISTER = 0, SRC_STACK = 1 };
enum read_kind { K_BYTES = 0, K_GO_STRING = 1, K_GO_SLICE = 2, K_C_STRING = 3, K_STD_STRING = 4 };
/* F_RETSITE: the return program sits on RET instructions (sp points at the return address, as at
 * entry) rather than in a uretprobe (return address already popped). */
enum probe_flags { F_ACTIVE = 1, F_GO = 2, F_PAIRED = 4, F_RETSITE = 8, F_FILTERED = 16 };
enum site { SITE_ENTRY = 0, SITE_RETURN = 1 };
enum event_type { EV_ENTRY = 1, EV_RETURN = 2 };
enum event_flags { EVF_COMPLETE = 1, EVF_ERROR = 2 };
enum read_stage { ST_ROOT = 0, ST_DEREF = 1, ST_FINAL = 5, ST_STRING = 6 };
enum read_flags { RF_TRUNCATED = 1 };

struct piece {
	u32 source;
	u32 reg_off;
	s64 stack_off;
	u32 size;
	u32 value_off;
};

struct read_spec {
	u32 kind;
	u32 memory;
	u32 npieces;
	u32 nderefs;
	s64 final_off;
	u32 size;
	u32 cap;
	struct piece pieces[MAX_PIECES];
	s64 derefs[MAX_DEREFS];
};

struct recipe {
	u32 nreads;
	s32 error_read; /* index of the read whose first word is a Go error's type word, or -1 */
	struct read_spec reads[MAX_READS];
};

struct probe_cfg {
	u32 flags;
	u32 nbounds;
	u64 goid_off;
	u64 stackhi_off;
	u64 interval_ns;   /* token bucket: ns per token, 0 = unlimited */
	u64 burst_ns;	   /* token bucket depth in ns */
	u64 sample_thresh; /* emit when prandom_u32 < thresh; 1 << 32 = always */
	u64 bounds[MAX_LATENCY_BOUNDS];
	s64 schedpc_off; /* g.sched.pc, or -1 when unknown */
};

struct probe_stats {
	u64 calls;
	u64 returns;
	u64 errors;
	u64 lat_sum;
	u64 ring_full;
	u64 rate_limited;
	u64 pair_full;
	u64 stale;
	u64 restarts;
	u64 unpaired;
	u64 hits;
	u64 run_ns;   /* time spent in this probe's program runs */
	u64 filtered; /* runs in a process outside the probe's groups (a trap, no row) */
	u64 hist[MAX_LATENCY_BOUNDS + 1];
};

struct rate_state {
	u64 tat; /* GCRA theoretical arrival time */
};

struct pair_key {
	u32 tgid;
	u32 probe;
	u64 id;	   /* goid (Go) or tid (C) */
	u64 depth; /* g.stack.hi - sp (Go) or entry sp (C) */
};

struct pair_val {
	u64 ts;
	u64 seq;
	u64 stack_hi;
	u32 emitted;
	u32 tid;
};

struct event_hdr {
	u32 type;
	u32 probe;
	u64 seq;
	u64 ts;
	u32 pid;
	u32 tid;
	s64 goid;
	u64 latency;
	u32 nreads;
	u32 flags;
};

struct read_rec {
	s32 err;
	u16 stage;
	u16 flags;
	u32 len;
	u32 full_len;
	u64 addr;
};

struct scratch {
	u8 ev[EVENT_MAX + 2 * (DATA_MASK + 1) + 64];
	u8 root[MAX_ROOT_BYTES * 2 + 16];
	u8 regs[256 + 16];
	u8 code[128];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_PROBES);
	__type(key, u32);
	__type(value, struct probe_cfg);
} probes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_PROBES * 2);
	__type(key, u32);
	__type(value, struct recipe);
} recipes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_PROBES);
	__type(key, u32);
	__type(value, struct probe_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_PROBES);
	__type(key, u32);
	__type(value, struct rate_state);
} rates SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct pair_key);
	__type(value, struct pair_val);
} pairs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct scratch);
} scratches SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} seqs SEC(".maps");

/*
 * Process groups: a probe attached to every process of a binary (an inode-wide uprobe) with
 * F_FILTERED runs only in the processes of its allowed groups (a group is typically one
 * container). procs maps a process (tgid) to its group; the fork program below puts a new process
 * in its parent's group before it runs its first instruction, and the exit program removes it.
 */
struct group_set {
	u64 bits[MAX_GROUPS / 64];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PROCESSES);
	__type(key, u32);   /* tgid */
	__type(value, u32); /* group */
} procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_PROBES);
	__type(key, u32);
	__type(value, struct group_set);
} probe_groups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

/* Event layouts in BTF (user space decodes them; LayoutTest checks the Java mirror against BTF). */
const struct event_hdr *btf_event_hdr __attribute__((unused));
const struct read_rec *btf_read_rec __attribute__((unused));
/* Enums in BTF, so that LayoutTest can check every value the Java side writes or reads. */
const enum limits *btf_limits __attribute__((unused));
const enum piece_source *btf_piece_source __attribute__((unused));
const enum read_kind *btf_read_kind __attribute__((unused));
const enum probe_flags *btf_probe_flags __attribute__((unused));
const enum site *btf_site __attribute__((unused));
const enum event_type *btf_event_type __attribute__((unused));
const enum event_flags *btf_event_flags __attribute__((unused));
const enum read_stage *btf_read_stage __attribute__((unused));
const enum read_flags *btf_read_flags __attribute__((unused));

struct read_ctx {
	struct scratch *sc;
	struct recipe *rc;
	u64 sp;
	u32 off;    /* write offset into sc->ev */
	u32 nreads; /* records written */
	u32 error_seen;
};

/* Reads `size` bytes of the current value into dst: from the root buffer, or from user memory. */
static __always_inline long value_bytes(struct read_ctx *c, struct read_spec *r, u64 addr,
					void *dst, u32 size)
{
	if (!r->memory) {
		u8 *src = c->sc->root + (r->final_off & (MAX_ROOT_BYTES - 1));

		if (size <= 24) {
			/* whole words, no helper call: dst has room past size (padding) */
			((u64 *)dst)[0] = *(u64 *)src;
			if (size > 8)
				((u64 *)dst)[1] = *(u64 *)(src + 8);
			if (size > 16)
				((u64 *)dst)[2] = *(u64 *)(src + 16);
			return 0;
		}
		return bpf_probe_read_kernel(dst, size & DATA_MASK, src);
	}
	return bpf_probe_read_user(dst, size & DATA_MASK, (void *)(addr + r->final_off));
}

/* Performs read number idx of the recipe and appends its record to the event buffer. */
static long do_read(u32 idx, struct read_ctx *c)
{
	struct scratch *sc = c->sc;
	struct read_spec *r;
	struct read_rec *rec;
	u8 *data;
	u64 addr = 0;
	long err = 0;
	u32 i, len = 0;

	if (idx >= MAX_READS || idx >= c->rc->nreads)
		return 1;
	r = &c->rc->reads[idx];
	if (c->off > EVENT_MAX - (DATA_MASK + 1) - sizeof(struct read_rec))
		return 1;
	rec = (struct read_rec *)(sc->ev + (c->off & (EVENT_MAX - 1)));
	data = sc->ev + ((c->off + sizeof(*rec)) & (EVENT_MAX - 1));
	rec->err = 0;
	rec->stage = ST_ROOT;
	rec->flags = 0;
	rec->full_len = 0;
	rec->addr = 0;

	/* 1. root buffer from register and stack pieces */
	for (i = 0; i < MAX_PIECES; i++) {
		struct piece *p = &r->pieces[i];
		u32 voff = p->value_off & (MAX_ROOT_BYTES - 1);
		u32 psize = p->size & (MAX_ROOT_BYTES - 1);

		if (i >= r->npieces)
			break;
		if (p->source == SRC_REGISTER) {
			/* 8 bytes; pieces come sorted by value offset, so later ones overwrite the excess */
			*(u64 *)(sc->root + voff) = *(u64 *)(sc->regs + (p->reg_off & 255));
		} else {
			rec->addr = c->sp + p->stack_off;
			err = bpf_probe_read_user(sc->root + voff, psize,
						  (void *)(c->sp + p->stack_off));
		}
		if (err)
			goto fail;
	}

	/* 2. optional dereference chain */
	if (r->memory) {
		addr = *(u64 *)sc->root;
		for (i = 0; i < MAX_DEREFS; i++) {
			if (i >= r->nderefs)
				break;
			rec->stage = ST_DEREF + i;
			rec->addr = addr + r->derefs[i];
			err = bpf_probe_read_user(&addr, sizeof(addr),
						  (void *)(addr + r->derefs[i]));
			if (err)
				goto fail;
		}
	}

	/* 3. the final read, 4. string follow-up */
	rec->stage = ST_FINAL;
	rec->addr = r->memory ? addr + r->final_off : 0;
	if (r->kind == K_BYTES) {
		len = r->size & DATA_MASK;
		err = value_bytes(c, r, addr, data, len);
		if (err)
			goto fail;
		rec->full_len = len;
	} else {
		u64 hdr[3] = {};
		u64 ptr, slen;
		u32 cap = r->cap & DATA_MASK;

		err = value_bytes(c, r, addr, hdr, r->size > 24 ? 24 : r->size);
		if (err)
			goto fail;
		ptr = hdr[0];
		rec->stage = ST_STRING;
		rec->addr = ptr;
		if (r->kind == K_C_STRING) {
			if (!ptr) {
				err = -14; /* -EFAULT: NULL char pointer */
				goto fail;
			}
			/* read cap + 1 characters: a result longer than cap means truncated */
			long n = bpf_probe_read_user_str(data, (cap + 2) & (2 * DATA_MASK + 1),
							 (void *)ptr);
			if (n < 0) {
				err = n;
				goto fail;
			}
			len = n > 0 ? n - 1 : 0; /* without the NUL */
			if (len > cap) {
				len = cap;
				rec->flags |= RF_TRUNCATED;
			}
			rec->full_len = len;
		} else {
			slen = hdr[1];
			rec->full_len = slen > 0xffffffffULL ? 0xffffffff : (u32)slen;
			len = slen > cap ? cap : (u32)slen;
			if (slen > cap)
				rec->flags |= RF_TRUNCATED;
			len &= DATA_MASK;
			if (len) {
				err = bpf_probe_read_user(data, len, (void *)ptr);
				if (err)
					goto fail;
			}
		}
	}
	rec->len = len;
	if ((s32)idx == c->rc->error_read && len >= 8 && *(u64 *)data != 0)
		c->error_seen = 1;
	c->off += sizeof(*rec) + ((len + 7) & ~7U);
	c->nreads++;
	return 0;
fail:
	rec->err = err;
	rec->len = 0;
	c->off += sizeof(*rec);
	c->nreads++;
	return 0;
}

static long read_cb(u32 idx, void *ctx)
{
	return do_read(idx, ctx);
}

/*
 * Batched notification: waking the reader for every event costs an irq_work (a self-IPI, a VM
 * exit when virtualised) per event. The reader polls every few milliseconds anyway, so wake it
 * only when a backlog builds up.
 */
static __always_inline long ring_output(void *data, u32 len)
{
	u64 flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > WAKEUP_BYTES
			    ? BPF_RB_FORCE_WAKEUP
			    : BPF_RB_NO_WAKEUP;

	return bpf_ringbuf_output(&events, data, len & (EVENT_MAX - 1), flags);
}

static __always_inline struct probe_stats *stats_of(u32 probe)
{
	return bpf_map_lookup_elem(&stats, &probe);
}

/* Sampling, then a GCRA token bucket (equivalent to a token bucket of burst_ns / interval_ns). */
static __always_inline int admit(struct probe_cfg *cfg, u32 probe, u64 now)
{
	struct rate_state *rs;
	int i;

	if (cfg->sample_thresh <= 0xffffffffULL && (u64)bpf_get_prandom_u32() >= cfg->sample_thresh)
		return 0;
	if (!cfg->interval_ns)
		return 1;
	rs = bpf_map_lookup_elem(&rates, &probe);
	if (!rs)
		return 0;
	for (i = 0; i < 4; i++) {
		u64 old = rs->tat;
		u64 tat = old > now ? old : now;

		if (tat + cfg->interval_ns - now > cfg->burst_ns)
			return 0;
		if (__sync_val_compare_and_swap(&rs->tat, old, tat + cfg->interval_ns) == old)
			return 1;
	}
	return 0;
}

static __always_inline u64 next_seq(void)
{
	u32 zero = 0;
	u64 *s = bpf_map_lookup_elem(&seqs, &zero);

	if (!s)
		return 0;
	*s += 1;
	return ((u64)bpf_get_smp_processor_id() << 48) | *s;
}

static __always_inline struct scratch *scratch_for(struct pt_regs *ctx)
{
	u32 zero = 0;
	struct scratch *sc = bpf_map_lookup_elem(&scratches, &zero);

	if (sc)
		__builtin_memcpy(sc->regs, ctx, sizeof(struct pt_regs));
	return sc;
}

/* Runs the recipe of (probe, site) into the scratch event buffer; returns its length. */
static __always_inline u32 run_recipe(struct scratch *sc, u32 probe, u32 site, u64 sp,
				      u32 *error_seen, u32 *nreads, u32 only)
{
	u32 key = probe * 2 + site;
	struct read_ctx c = { .sc = sc, .sp = sp, .off = sizeof(struct event_hdr) };

	c.rc = bpf_map_lookup_elem(&recipes, &key);
	if (!c.rc)
		return c.off;
	if (only) {
		/* not emitted: evaluate just the Go error read, so errors stay exact */
		if (c.rc->error_read >= 0)
			do_read(c.rc->error_read, &c);
	} else {
		bpf_loop(MAX_READS, read_cb, &c, 0);
	}
	*error_seen = c.error_seen;
	*nreads = c.nreads;
	return c.off;
}

/*
 * True when the goroutine re-enters the function at `entry` after runtime.morestack (stack growth
 * or a preemption request): morestack saved g.sched.pc = the return address of the prologue's
 * CALL morestack, where the compiler reloads the register arguments from their spill slots
 * (mov/movss/movsd from [rsp+d], nops) and jumps back to the function's entry. Any other way of
 * reaching the entry (a new call) leaves g.sched.pc elsewhere (the last morestack, park or panic
 * recovery of this goroutine saved it in another function).
 */
struct scan_ctx {
	u64 pc;	   /* g.sched.pc */
	u64 entry; /* the function's entry address */
	u32 pos;   /* offset of the next instruction in scratch.code */
	int result;
};

/* One instruction of the reload sequence: 1 = done (result set), 0 = continue. */
static long scan_cb(u32 idx, void *vctx)
{
	struct scan_ctx *c = vctx;
	u32 zero = 0, p = c->pos & 63, len = 0, op, modrm, mod, rm;
	struct scratch *sc = bpf_map_lookup_elem(&scratches, &zero);
	u8 *code, b;

	c->result = 0;
	if (!sc)
		return 1;
	code = sc->code;
	b = code[p];
	if (b == 0xe9) {
		s32 rel = code[p + 1] | (code[p + 2] << 8) | (code[p + 3] << 16) |
			  ((u32)code[p + 4] << 24);

		c->result = c->pc + p + 5 + (s64)rel == c->entry;
		return 1;
	}
	if (b == 0xeb) {
		c->result = c->pc + p + 2 + (s64)(s8)code[p + 1] == c->entry;
		return 1;
	}
	/* prefixes: operand size, SSE (F2/F3), REX */
	for (len = 0; len < 3; len++) {
		u8 x = code[p + len];

		if (x != 0x66 && x != 0xf2 && x != 0xf3 && (x & 0xf0) != 0x40)
			break;
	}
	op = code[p + len];
	if (op == 0x90) {
		c->pos = p + len + 1;
		return 0;
	}
	if (op == 0x8b || op == 0x8a) {
		len += 1;
	} else if (op == 0x0f) {
		u8 op2 = code[p + len + 1];

		if (op2 != 0x10 && op2 != 0x1f && op2 != 0xb6 && op2 != 0xb7 && op2 != 0x6f &&
		    op2 != 0x28)
			return 1;
		len += 2;
	} else {
		return 1;
	}
	modrm = code[p + len];
	mod = modrm >> 6;
	rm = modrm & 7;
	len += 1;
	if (mod == 3)
		return 1;
	if (rm == 4) {
		u8 sib = code[p + len];

		len += 1;
		if (mod == 0 && (sib & 7) == 5)
			len += 4;
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2 || (mod == 0 && rm == 5))
		len += 4;
	c->pos = p + len;
	return 0;
}

/*
 * True when the goroutine re-enters the function at `entry` after runtime.morestack (stack growth
 * or a preemption request): morestack saved g.sched.pc = the return address of the prologue's
 * CALL morestack, where the compiler reloads the register arguments from their spill slots
 * (mov/movss/movsd from [rsp+d], nops) and jumps back to the function's entry. Any other way of
 * reaching the entry (a new call) leaves g.sched.pc elsewhere (the last morestack, park or panic
 * recovery of this goroutine saved it in another function). -1 when g.sched.pc is unknown.
 */
static __always_inline int go_restarted(struct probe_cfg *cfg, u64 g, u64 entry)
{
	u32 zero = 0;
	struct scratch *sc = bpf_map_lookup_elem(&scratches, &zero);
	struct scan_ctx c = { .entry = entry };

	if (cfg->schedpc_off < 0)
		return -1;
	if (!sc || bpf_probe_read_user(&c.pc, sizeof(c.pc), (void *)(g + cfg->schedpc_off)) ||
	    !c.pc)
		return 0;
	if (bpf_probe_read_user(sc->code, 80, (void *)c.pc)) {
		/* near the end of the text mapping: the reloads and the jump fit in fewer bytes */
		__builtin_memset(sc->code, 0, 80);
		if (bpf_probe_read_user(sc->code, 40, (void *)c.pc))
			return 0;
	}
	bpf_loop(16, scan_cb, &c, 0);
	return c.result;
}

/* True when the probe runs in this process: unfiltered, or the process is in an allowed group. */
static __always_inline int allowed(struct probe_cfg *cfg, u32 probe, u32 tgid)
{
	struct group_set *set;
	u32 *group, g;

	if (!(cfg->flags & F_FILTERED))
		return 1;
	group = bpf_map_lookup_elem(&procs, &tgid);
	if (!group)
		return 0;
	set = bpf_map_lookup_elem(&probe_groups, &probe);
	if (!set)
		return 0;
	g = *group & (MAX_GROUPS - 1);
	return (set->bits[g / 64] >> (g % 64)) & 1;
}

static __always_inline void go_frame(struct probe_cfg *cfg, struct pt_regs *ctx, u64 *goid,
				     u64 *stack_hi)
{
	u64 g = ctx->r14;

	bpf_probe_read_user(goid, sizeof(*goid), (void *)(g + cfg->goid_off));
	bpf_probe_read_user(stack_hi, sizeof(*stack_hi), (void *)(g + cfg->stackhi_off));
}

static __always_inline int on_entry(struct pt_regs *ctx, u32 probe, struct probe_stats *st, u64 now)
{
	struct probe_cfg *cfg = bpf_map_lookup_elem(&probes, &probe);
	u64 pid_tgid = bpf_get_current_pid_tgid();
	u64 goid = 0, stack_hi = 0, seq;
	struct pair_key key = {};
	struct pair_val val = {};
	struct scratch *sc;
	struct event_hdr *h;
	int emit;
	u32 len, nreads = 0, error_seen = 0;

	if (!cfg || !st || !(cfg->flags & F_ACTIVE))
		return 0;
	st->hits++;
	if (!allowed(cfg, probe, pid_tgid >> 32)) {
		st->filtered++;
		return 0;
	}
	if (cfg->flags & F_GO)
		go_frame(cfg, ctx, &goid, &stack_hi);
	if (cfg->flags & F_PAIRED) {
		struct pair_val *old;

		key.tgid = pid_tgid >> 32;
		key.probe = probe;
		key.id = (cfg->flags & F_GO) ? goid : (u32)pid_tgid;
		key.depth = (cfg->flags & F_GO) ? stack_hi - ctx->sp : ctx->sp;
		old = bpf_map_lookup_elem(&pairs, &key);
		if (old) {
			if (cfg->flags & F_GO) {
				int restarted = go_restarted(cfg, ctx->r14, ctx->ip);

				/* without g.sched.pc: a moved stack means morestack */
				if (restarted < 0)
					restarted = old->stack_hi != stack_hi;
				/* a restart follows its entry closely; an older entry is stale */
				restarted = restarted && now - old->ts < RESTART_WINDOW_NS;
				if (restarted) {
					old->stack_hi = stack_hi;
					st->restarts++;
					return 0;
				}
			}
			st->stale++; /* a call that never returned (panic, longjmp): replaced */
		}
	}
	st->calls++;
	emit = admit(cfg, probe, now);
	if (!emit)
		st->rate_limited++;
	seq = next_seq();
	if (cfg->flags & F_PAIRED) {
		val.ts = now;
		val.seq = seq;
		val.stack_hi = stack_hi;
		val.emitted = emit;
		val.tid = (u32)pid_tgid;
		if (bpf_map_update_elem(&pairs, &key, &val, BPF_ANY)) {
			st->pair_full++;
			return 0;
		}
	}
	if (!emit)
		return 0;
	sc = scratch_for(ctx);
	if (!sc)
		return 0;
	len = run_recipe(sc, probe, SITE_ENTRY, ctx->sp, &error_seen, &nreads, 0);
	h = (struct event_hdr *)sc->ev;
	h->type = EV_ENTRY;
	h->probe = probe;
	h->seq = seq;
	h->ts = now;
	h->pid = pid_tgid >> 32;
	h->tid = (u32)pid_tgid;
	h->goid = (cfg->flags & F_GO) ? (s64)goid : -1;
	h->latency = 0;
	h->nreads = nreads;
	h->flags = (cfg->flags & F_PAIRED) ? 0 : EVF_COMPLETE;
	if (ring_output(sc->ev, len)) {
		st->ring_full++;
		if (cfg->flags & F_PAIRED) {
			struct pair_val *v = bpf_map_lookup_elem(&pairs, &key);

			if (v && v->seq == seq)
				v->emitted = 0;
		}
	}
	return 0;
}

static __always_inline int on_return(struct pt_regs *ctx, u32 probe, struct probe_stats *st,
				     u64 now)
{
	struct probe_cfg *cfg = bpf_map_lookup_elem(&probes, &probe);
	u64 pid_tgid = bpf_get_current_pid_tgid();
	u64 goid = 0, stack_hi = 0, lat;
	struct pair_key key = {};
	struct pair_val val, *v;
	struct scratch *sc;
	struct event_hdr *h;
	u32 len, nreads = 0, error_seen = 0, i;

	if (!cfg || !st || !(cfg->flags & F_ACTIVE) || !(cfg->flags & F_PAIRED))
		return 0;
	st->hits++;
	if (!allowed(cfg, probe, pid_tgid >> 32)) {
		st->filtered++;
		return 0;
	}
	key.tgid = pid_tgid >> 32;
	key.probe = probe;
	if (cfg->flags & F_GO) {
		/* a plain uprobe on a RET: sp points at the return address, as at entry */
		go_frame(cfg, ctx, &goid, &stack_hi);
		key.id = goid;
		key.depth = stack_hi - ctx->sp;
	} else {
		key.id = (u32)pid_tgid;
		/* on a RET, sp is as at entry; in a uretprobe the return address has been popped */
		key.depth = (cfg->flags & F_RETSITE) ? ctx->sp : ctx->sp - 8;
	}
	v = bpf_map_lookup_elem(&pairs, &key);
	if (!v) {
		st->unpaired++;
		return 0;
	}
	val = *v;
	if (bpf_map_delete_elem(&pairs, &key)) {
		st->unpaired++; /* the user-space sweeper evicted (and counted) it first */
		return 0;
	}
	lat = now - val.ts;
	st->returns++;
	st->lat_sum += lat;
	for (i = 0; i < MAX_LATENCY_BOUNDS; i++) {
		if (i >= cfg->nbounds || lat <= cfg->bounds[i])
			break;
	}
	if (i > MAX_LATENCY_BOUNDS)
		i = MAX_LATENCY_BOUNDS;
	st->hist[i]++;

	sc = scratch_for(ctx);
	if (!sc)
		return 0;
	len = run_recipe(sc, probe, SITE_RETURN, ctx->sp, &error_seen, &nreads, !val.emitted);
	if (error_seen)
		st->errors++;
	if (!val.emitted)
		return 0;
	h = (struct event_hdr *)sc->ev;
	h->type = EV_RETURN;
	h->probe = probe;
	h->seq = val.seq;
	h->ts = now;
	h->pid = pid_tgid >> 32;
	h->tid = (u32)pid_tgid;
	h->goid = (cfg->flags & F_GO) ? (s64)goid : -1;
	h->latency = lat;
	h->nreads = nreads;
	h->flags = EVF_COMPLETE | (error_seen ? EVF_ERROR : 0);
	if (ring_output(sc->ev, len))
		st->ring_full++;
	return 0;
}

/*
 * The attached programs: each run is timed and charged to its probe (probe_stats.run_ns), so a
 * tracepoint's CPU cost in the kernel is measured per probe, not apportioned.
 */
SEC("uprobe")
int dynlog_entry(struct pt_regs *ctx)
{
	u64 start = bpf_ktime_get_ns();
	u32 probe = (u32)bpf_get_attach_cookie(ctx);
	struct probe_stats *st = stats_of(probe);

	on_entry(ctx, probe, st, start);
	if (st)
		st->run_ns += bpf_ktime_get_ns() - start;
	return 0;
}

SEC("uprobe")
int dynlog_return(struct pt_regs *ctx)
{
	u64 start = bpf_ktime_get_ns();
	u32 probe = (u32)bpf_get_attach_cookie(ctx);
	struct probe_stats *st = stats_of(probe);

	on_return(ctx, probe, st, start);
	if (st)
		st->run_ns += bpf_ktime_get_ns() - start;
	return 0;
}

/*
 * The few task_struct fields the process-group programs read; libbpf relocates their offsets
 * (CO-RE) against the running kernel's BTF when it loads the object.
 */
struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

/* A new process (not a thread) of a grouped process joins its parent's group, before it runs. */
SEC("tp_btf/sched_process_fork")
int dynlog_fork(u64 *ctx)
{
	struct task_struct *parent = (struct task_struct *)ctx[0];
	struct task_struct *child = (struct task_struct *)ctx[1];
	u32 ptgid = parent->tgid, ctgid = child->tgid, group;
	u32 *g;

	if (ctgid == ptgid)
		return 0;
	g = bpf_map_lookup_elem(&procs, &ptgid);
	if (!g)
		return 0;
	group = *g;
	bpf_map_update_elem(&procs, &ctgid, &group, BPF_ANY);
	return 0;
}

/* A process leaves its group when its main thread exits (its pid may be reused). */
SEC("tp_btf/sched_process_exit")
int dynlog_exit(u64 *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx[0];
	u32 tgid = task->tgid;

	if (task->pid != task->tgid)
		return 0;
	bpf_map_delete_elem(&procs, &tgid);
	return 0;
}

SEC("uprobe")
int dynlog_empty(struct pt_regs *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
