// Package stress holds traced functions for the hard pairing cases: recursion, many goroutines
// at once and goroutine stacks that grow (and move) while a traced call is in progress.
package stress

import (
	"sync"
	"time"

	"dynlog.dev/targets/truth"
)

// FibName is the qualified name of Fib as it appears in DWARF.
const FibName = "dynlog.dev/targets/stress.Fib"

// Fib is recursive; every frame records its own argument and result when it returns, so the
// ground-truth lines come out in return order, innermost first.
//
//go:noinline
func Fib(n int) int {
	r := n
	if n >= 2 {
		r = Fib(n-1) + Fib(n-2)
	}
	truth.Default.Call(FibName, []truth.KV{{Name: "n", Value: n}}, []truth.KV{{Name: "~r0", Value: r}})
	return r
}

// Grow has a large frame (so calling it on a fresh goroutine grows the stack at its entry) and
// recurses through deep, which grows and moves the stack again while Grow is in progress.
//
//go:noinline
func Grow(id int, depth int) int {
	var frame [2048]int64
	for i := range frame {
		frame[i] = int64(i ^ id)
	}
	return deep(depth, frame[id%len(frame)]) + id
}

// deep recurses with a large frame of its own; it is not traced.
//
//go:noinline
func deep(depth int, seed int64) int {
	var pad [512]int64
	pad[depth%len(pad)] = seed
	if depth == 0 {
		return int(pad[0] & 1)
	}
	return deep(depth-1, seed+1) + int(pad[depth%len(pad)]&1)
}

// GrowName is the qualified name of Grow as it appears in DWARF.
const GrowName = "dynlog.dev/targets/stress.Grow"

// Crowd runs n goroutines that all start together and call Grow(id, depth) once, recording each call.
func Crowd(n, depth int) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			<-start
			r := Grow(id, depth)
			truth.Default.Call(GrowName,
				[]truth.KV{{Name: "id", Value: id}, {Name: "depth", Value: depth}},
				[]truth.KV{{Name: "~r0", Value: r}})
		}(i)
	}
	close(start)
	wg.Wait()
}

// HotName is the qualified name of Hot as it appears in DWARF.
const HotName = "dynlog.dev/targets/stress.Hot"

// Hot is a tiny function for per-call cost measurements: three integer arguments, one result.
//
//go:noinline
func Hot(a, b, c int64) int64 {
	return a ^ (b + c)
}

// HotLoop calls Hot n times back to back and returns the time the loop took. Each call is
// recorded like any other, except in quiet mode, where the calls are counted in one step so the
// loop measures the calls themselves.
func HotLoop(n int, quiet bool) time.Duration {
	var acc int64
	start := time.Now()
	if quiet {
		for i := 0; i < n; i++ {
			acc += Hot(int64(i), int64(i)*2, acc&0xff)
		}
	} else {
		for i := 0; i < n; i++ {
			a, b, c := int64(i), int64(i)*2, acc&0xff
			r := Hot(a, b, c)
			acc += r
			truth.Default.Call(HotName, []truth.KV{{Name: "a", Value: a}, {Name: "b", Value: b}, {Name: "c", Value: c}},
				[]truth.KV{{Name: "~r0", Value: r}})
		}
	}
	elapsed := time.Since(start)
	if quiet {
		truth.Default.Count(HotName, n)
	}
	sink = acc
	return elapsed
}

// sink keeps HotLoop's results alive.
var sink int64
