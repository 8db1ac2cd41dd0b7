// Package truth prints the ground truth of every traced call as one JSON line.
//
// A line looks like
//
//	{"fn":"dynlog.dev/targets/shop.(*Service).Login","goid":1,"args":{"s":{...},"username":"alice"},"results":{"~r0":true,"~r1":null}}
//
// Values are encoded the way dynlog prints captures: integers and floats as numbers, strings and
// []byte as strings, bool as booleans, structs as objects keyed by Go field names, arrays and
// slices as arrays, pointers as the value they point to (nil as null), error as null or its message.
package truth

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
)

// KV is one named value of a call (an argument or a result), in declaration order.
type KV struct {
	Name  string
	Value any
}

// Recorder writes ground-truth lines and counts calls per function. It is safe for concurrent use.
type Recorder struct {
	mu     sync.Mutex
	w      *bufio.Writer
	quiet  bool
	flush  bool
	counts map[string]int
}

// Default is the recorder used by the traced packages; main configures it.
var Default = &Recorder{w: bufio.NewWriterSize(os.Stdout, 1<<16), counts: map[string]int{}}

// Configure sets the destination, whether per-call lines are written, and whether to flush each line.
func (r *Recorder) Configure(out io.Writer, quiet, flushEachLine bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.w = bufio.NewWriterSize(out, 1<<16)
	r.quiet = quiet
	r.flush = flushEachLine
}

// Call records one completed call of fn.
func (r *Recorder) Call(fn string, args []KV, results []KV) {
	r.record(fn, args, results, "")
}

// Panicked records a call of fn that panicked with msg instead of returning.
func (r *Recorder) Panicked(fn string, args []KV, msg string) {
	r.record(fn, args, nil, msg)
}

func (r *Recorder) record(fn string, args []KV, results []KV, panicMsg string) {
	var line []byte
	if !r.quiet {
		var b bytes.Buffer
		b.WriteString(`{"fn":`)
		writeJSON(&b, fn)
		b.WriteString(`,"goid":`)
		b.WriteString(strconv.FormatInt(Goid(), 10))
		b.WriteString(`,"args":`)
		writeObject(&b, args)
		if panicMsg != "" {
			b.WriteString(`,"panic":`)
			writeJSON(&b, panicMsg)
		} else {
			b.WriteString(`,"results":`)
			writeObject(&b, results)
		}
		b.WriteString("}\n")
		line = b.Bytes()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[fn]++
	if line != nil {
		r.w.Write(line)
		if r.flush {
			r.w.Flush()
		}
	}
}

// Count adds n calls of fn to the summary without printing them (quiet hot loops).
func (r *Recorder) Count(fn string, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[fn] += n
}

// Summary writes the final summary line and flushes.
func (r *Recorder) Summary() {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.counts))
	total := 0
	for n, c := range r.counts {
		names = append(names, n)
		total += c
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteString(`{"summary":{"total":`)
	b.WriteString(strconv.Itoa(total))
	b.WriteString(`,"calls":{`)
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSON(&b, n)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(r.counts[n]))
	}
	b.WriteString("}}}\n")
	r.w.Write(b.Bytes())
	r.w.Flush()
}

// Flush writes buffered lines out.
func (r *Recorder) Flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.w.Flush()
}

func writeObject(b *bytes.Buffer, kvs []KV) {
	b.WriteByte('{')
	for i, kv := range kvs {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSON(b, kv.Name)
		b.WriteByte(':')
		writeJSON(b, normalize(kv.Value))
	}
	b.WriteByte('}')
}

func writeJSON(b *bytes.Buffer, v any) {
	enc, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("truth: cannot encode %T: %v", v, err))
	}
	b.Write(enc)
}

// normalize turns the values encoding/json would print differently from dynlog into their dynlog
// form: error → message or nil, []byte → string.
func normalize(v any) any {
	switch x := v.(type) {
	case error:
		if x == nil {
			return nil
		}
		return x.Error()
	case []byte:
		return string(x)
	}
	return v
}

// Goid returns the current goroutine's id, parsed from the runtime's own stack header.
func Goid() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	s := buf[:n]
	s = bytes.TrimPrefix(s, []byte("goroutine "))
	if i := bytes.IndexByte(s, ' '); i > 0 {
		if id, err := strconv.ParseInt(string(s[:i]), 10, 64); err == nil {
			return id
		}
	}
	return -1
}
