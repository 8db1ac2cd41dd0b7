// Package stress holds traced functions for the hard pairing cases: recursion, many goroutines
// at once and goroutine stacks that grow (and move) while a traced call is in progress.
package stress

import (
	"sync"

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
