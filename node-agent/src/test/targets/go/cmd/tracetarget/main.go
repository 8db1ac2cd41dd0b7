// Command tracetarget is the small Go program of the tracer tests (dev.dynlog.trace): it prints
// "ready", waits for a line on stdin, makes its calls and prints one plain-text ground-truth line
// per call (not the JSON of gotarget; the tests parse these lines).
//
// Modes (first argument): "calls N" (F from 1000 goroutines, N calls each), "fib N", "grow"
// (1000 goroutines whose first call needs a bigger stack), "panic N", "loop [N]" (calls F every
// millisecond, N + 1 times or forever), "bench N" (N calls of Bench, prints
// "bench WALL_NS SUM THREAD_CPU_NS"), "slice" (G on a few []byte), "migrate" (200 goroutines
// calling Wait, which sleeps and yields, so calls change threads).
// Every call prints its ground truth ("F a s ret err", "grow n ret", "panic n ret|panicked",
// "wait n ret", "G s ret"), except in "fib" (one line "fib N Fib(N)") and "loop" (nothing).
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// threadCPU is this thread's CPU time (user + system, so uprobe handling included), in ns.
func threadCPU() int64 {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 3 /* CLOCK_THREAD_CPUTIME_ID */, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

type E struct{ msg string }

func (e *E) Error() string { return e.msg }

//go:noinline
func F(a int, s string) (int, error) {
	if a%3 == 0 {
		return -a, &E{"bad " + s}
	}
	return a*2 + len(s), nil
}

//go:noinline
func Fib(n int) int {
	if n < 2 {
		return n
	}
	return Fib(n-1) + Fib(n-2)
}

//go:noinline
func Grow(n int) int {
	var buf [32768]byte
	for i := range buf {
		buf[i] = byte(n + i)
	}
	return int(buf[(n*7)%len(buf)]) + n
}

//go:noinline
func Wait(n int) int {
	time.Sleep(time.Duration(n%5) * time.Millisecond)
	runtime.Gosched()
	return n * 2
}

//go:noinline
func G(b []byte) int {
	return len(b)*1000 + cap(b)
}

//go:noinline
func Bench(a, b, c int) int {
	return a ^ b + c
}

//go:noinline
func MayPanic(n int) int {
	if n%4 == 0 {
		panic("boom")
	}
	return n + 1
}

func safe(n int) (r int, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return MayPanic(n), true
}

var out = bufio.NewWriter(os.Stdout)
var mu sync.Mutex

func say(format string, args ...any) {
	mu.Lock()
	fmt.Fprintf(out, format+"\n", args...)
	mu.Unlock()
}

func main() {
	mode := os.Args[1]
	n := 0
	if len(os.Args) > 2 {
		n, _ = strconv.Atoi(os.Args[2])
	}
	fmt.Println("ready")
	bufio.NewReader(os.Stdin).ReadString('\n')
	var wg sync.WaitGroup
	switch mode {
	case "calls":
		for g := 0; g < 1000; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < n; i++ {
					a := g*1000 + i
					s := "s" + strings.Repeat("x", (a%7)*20)
					r, err := F(a, s)
					e := "nil"
					if err != nil {
						e = fmt.Sprintf("%T", err)
					}
					say("F %d %s %d %s", a, s, r, e)
				}
			}(g)
		}
	case "fib":
		say("fib %d %d", n, Fib(n))
	case "grow":
		for g := 0; g < 1000; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				say("grow %d %d", g, Grow(g))
			}(g)
		}
	case "panic":
		for i := 1; i <= n; i++ {
			if r, ok := safe(i); ok {
				say("panic %d %d", i, r)
			} else {
				say("panic %d panicked", i)
			}
		}
	case "migrate":
		for g := 0; g < 200; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 5; i++ {
					n := g*10 + i
					say("wait %d %d", n, Wait(n))
				}
			}(g)
		}
	case "slice":
		for _, s := range []string{"", "short", "exactly-10", "a-longer-byte-slice"} {
			b := make([]byte, len(s), len(s)+3)
			copy(b, s)
			say("G %s %d", s, G(b))
		}
	case "bench":
		runtime.LockOSThread()
		start, cpu := time.Now(), threadCPU()
		s := 0
		for i := 0; i < n; i++ {
			s += Bench(i, i*3, i*7)
		}
		say("bench %d %d %d", time.Since(start).Nanoseconds(), s, threadCPU()-cpu)
	case "loop":
		for i := 0; ; i++ {
			F(i, "loop")
			time.Sleep(time.Millisecond)
			if len(os.Args) > 2 && i >= n {
				break
			}
		}
	}
	wg.Wait()
	out.Flush()
}
