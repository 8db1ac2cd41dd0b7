# Executes dynlog probe-plan reads under gdb, as the BPF program would, at real probe sites of a
# real target process: breakpoints at function entries and at return sites, then the reads
# (registers, stack pieces, dereference chains, string follow-ups) against the live registers and
# memory. Results are written as JSON lines for the Java test to decode and compare with the
# target's own ground truth.
#
# Configuration: the gdb convenience variable $dynlog_config names a JSON file:
#   {"out": PATH, "functions": [{"fn": NAME, "entry": ADDR, "rets": [ADDR...],
#     "mode": "ret" (breakpoints on RET instructions) | "caller" (on the caller's return address,
#     like a uretprobe), "entry_reads": [READ...], "exit_reads": [READ...]}]}
#   READ = {"root": [{"reg": "rbx"|null, "stack": N, "size": N, "at": N}], "memory": bool,
#           "derefs": [N...], "final": N, "size": N, "kind": "BYTES"|"GO_STRING"|..., "cap": N}
import json

import gdb

M64 = (1 << 64) - 1

config = json.load(open(str(gdb.parse_and_eval("$dynlog_config").string())))
out = open(config["out"], "w")
entries = {}
rets = {}
waiting = {}  # caller return address -> [(function, expected rsp)]
caller_breakpoints = {}



def load_base():
    """Where a position-independent executable was mapped: the start of its lowest mapping."""
    path = gdb.selected_inferior().progspace.filename
    starts = []
    for line in gdb.execute("info proc mappings", to_string=True).splitlines():
        cols = line.split()
        if len(cols) >= 5 and cols[0].startswith("0x") and cols[-1] == path:
            starts.append(int(cols[0], 16))
    if not starts:
        raise gdb.GdbError("cannot find the mappings of " + path)
    return min(starts)


def place_breakpoints(base):
    for f in config["functions"]:
        entries[base + f["entry"]] = f
        gdb.Breakpoint("*%d" % (base + f["entry"]), internal=True)
        if f["mode"] == "ret":
            for r in f["rets"]:
                rets[base + r] = f
                gdb.Breakpoint("*%d" % (base + r), internal=True)


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & M64


def mem(addr, n):
    if n == 0:
        return b""
    return bytes(gdb.selected_inferior().read_memory(addr & M64, n))


def u64(b):
    return int.from_bytes(b[:8], "little")


def do_read(r):
    sp = reg("rsp")
    root = bytearray(max(p["at"] + p["size"] for p in r["root"]))
    for p in r["root"]:
        if p["reg"]:
            v = reg(p["reg"]).to_bytes(8, "little")[: p["size"]]
        else:
            v = mem(sp + p["stack"], p["size"])
        root[p["at"] : p["at"] + p["size"]] = v
    if not r["memory"]:
        data = bytes(root[r["final"] : r["final"] + r["size"]])
    else:
        a = u64(root)
        for d in r["derefs"]:
            a = u64(mem(a + d, 8))
        data = mem(a + r["final"], r["size"])
    result = {"bytes": data.hex()}
    kind = r["kind"]
    if kind in ("GO_STRING", "GO_SLICE", "STD_STRING"):
        n = int.from_bytes(data[8:16], "little", signed=True)
        result["text"] = mem(u64(data), max(0, min(n, r["cap"]))).hex()
    elif kind == "C_STRING":
        ptr = u64(data)
        buf = b""
        while len(buf) < r["cap"]:
            c = mem(ptr + len(buf), 1)
            if c == b"\0":
                break
            buf += c
        result["text"] = buf.hex()
    return result


def safe_read(r):
    try:
        return do_read(r)
    except gdb.MemoryError as e:
        return {"error": str(e)}


def emit(f, at, reads, key=None):
    line = {"fn": f["fn"], "at": at, "reads": [safe_read(r) for r in reads]}
    if key:
        line["frame"] = "goid %d depth %d" % (key[1], key[2])
    out.write(json.dumps(line) + "\n")
    out.flush()


def alive():
    inf = gdb.selected_inferior()
    return inf.pid != 0 and len(inf.threads()) > 0


pending_frames = set()  # Go: (function, goid, stack.hi - sp) of entered, not yet returned frames


def go_frame(f, sp):
    """The frame key of a Go call: survives stack copying, so a morestack restart has the same key."""
    g = reg("r14")
    goid = u64(mem(g + f["go"]["goid"], 8))
    hi = u64(mem(g + f["go"]["stack_hi"], 8))
    return (f["fn"], goid, hi - sp)


def on_stop():
    pc = reg("rip")
    sp = reg("rsp")
    if pc in waiting:
        pending = waiting[pc]
        for i, (f, expected) in enumerate(pending):
            if expected == sp:
                emit(f, "exit", f["exit_reads"])
                del pending[i]
                break
        if not pending:
            del waiting[pc]
            caller_breakpoints.pop(pc).delete()
    if pc in entries:
        f = entries[pc]
        if f.get("go"):
            key = go_frame(f, sp)
            if key in pending_frames:
                # The prologue grew the stack and re-entered the function (or gdb re-reported the
                # breakpoint after a signal): the same call again.
                out.write(json.dumps({"fn": f["fn"], "at": "restart", "frame": "goid %d depth %d" % (key[1], key[2])}) + "\n")
                return
            pending_frames.add(key)
            emit(f, "entry", f["entry_reads"], key)
            return
        emit(f, "entry", f["entry_reads"])
        if f["mode"] == "caller":
            ret_addr = u64(mem(sp, 8))
            waiting.setdefault(ret_addr, []).append((f, sp + 8))
            if ret_addr not in caller_breakpoints:
                caller_breakpoints[ret_addr] = gdb.Breakpoint("*%d" % ret_addr, internal=True)
    if pc in rets:
        f = rets[pc]
        if f.get("go"):
            key = go_frame(f, sp)
            if key not in pending_frames:
                # gdb reports a breakpoint again when a signal (Go's SIGURG preemption) lands while it
                # steps over it: the same RET of a frame that already returned.
                out.write(json.dumps({"fn": f["fn"], "at": "duplicate", "frame": "goid %d depth %d" % (key[1], key[2])}) + "\n")
                return
            pending_frames.discard(key)
            emit(f, "exit", f["exit_reads"], key)
            return
        emit(f, "exit", f["exit_reads"])


gdb.execute("starti", to_string=True)
place_breakpoints(load_base() if config["pie"] else 0)
gdb.execute("continue", to_string=True)
while alive():
    on_stop()
    gdb.execute("continue", to_string=True)
out.close()
