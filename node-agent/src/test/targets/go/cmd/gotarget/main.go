// Command gotarget calls dynlog's traced test functions and prints the ground truth of every call
// as one JSON line (see ../../README.md for the format and the flags).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"dynlog.dev/targets/abi"
	"dynlog.dev/targets/pb"
	"dynlog.dev/targets/shop"
	"dynlog.dev/targets/stress"
	"dynlog.dev/targets/truth"
)

const (
	shopPkg = "dynlog.dev/targets/shop."
	abiPkg  = "dynlog.dev/targets/abi."
)

type kv = truth.KV

var rec = truth.Default

// scenarios maps a scenario name to one round of calls; i is the round number (from 0).
var scenarios = map[string]func(i int){
	"basic":     basic,
	"abi":       abiCalls,
	"recursion": recursion,
	"crowd":     crowd,
	"panic":     panics,
	"hot":       hot,
}

// order is what "all" runs; hot is only run when asked for.
var order = []string{"basic", "abi", "recursion", "crowd", "panic"}

var (
	goroutines = flag.Int("goroutines", 1000, "crowd: goroutines calling stress.Grow at once")
	growDepth  = flag.Int("grow-depth", 64, "crowd: recursion depth (4 KiB frames) inside each stress.Grow call")
	fibN       = flag.Int("fib", 10, "recursion: argument of the outermost stress.Fib call")
	hotCalls   = flag.Int("hot-calls", 100000, "hot: stress.Hot calls per round")
	quiet      = flag.Bool("quiet", false, "count calls but print only the summary line")
)

func main() {
	scenarioFlag := flag.String("scenario", "all", "comma-separated scenarios: "+strings.Join(order, ",")+",hot or all (all but hot)")
	iterations := flag.Int("iterations", 1, "rounds of each scenario; 0 means until -duration elapses or SIGTERM/SIGINT")
	duration := flag.Duration("duration", 0, "with -iterations=0: stop after this long (0 = until signalled)")
	sleep := flag.Duration("sleep", 0, "pause between rounds")
	startDelay := flag.Duration("start-delay", 0, "wait this long before the first call")
	waitStdin := flag.Bool("wait-stdin", false, "wait for a line (or EOF) on stdin before the first call")
	out := flag.String("out", "", "write ground-truth lines to this file instead of stdout")
	flag.Parse()

	names, err := selectScenarios(*scenarioFlag)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gotarget:", err)
		os.Exit(2)
	}
	dest := os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gotarget:", err)
			os.Exit(2)
		}
		defer f.Close()
		dest = f
	}
	rec.Configure(dest, *quiet, *sleep > 0 || *iterations == 0)

	fmt.Fprintf(os.Stderr, "gotarget: ready pid=%d\n", os.Getpid())
	if *waitStdin {
		bufio.NewReader(os.Stdin).ReadString('\n')
	}
	time.Sleep(*startDelay)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	var deadline <-chan time.Time
	if *duration > 0 {
		deadline = time.After(*duration)
	}
	for i := 0; *iterations == 0 || i < *iterations; i++ {
		for _, n := range names {
			scenarios[n](i)
		}
		if *iterations == 0 || *sleep > 0 {
			select {
			case <-stop:
				rec.Summary()
				return
			case <-deadline:
				rec.Summary()
				return
			case <-time.After(*sleep):
			}
		}
	}
	rec.Summary()
}

func selectScenarios(spec string) ([]string, error) {
	if spec == "all" {
		return order, nil
	}
	var names []string
	for _, n := range strings.Split(spec, ",") {
		if _, ok := scenarios[n]; !ok {
			return nil, fmt.Errorf("unknown scenario %q; known: %s, hot, all", n, strings.Join(order, ", "))
		}
		names = append(names, n)
	}
	return names, nil
}

var users = []string{"alice", "bob", "mallory", "", "carol"}

func basic(i int) {
	svc := shop.NewService()

	user := users[i%len(users)]
	ok, err := svc.Login(user)
	rec.Call(shopPkg+"(*Service).Login", []kv{{"s", svc}, {"username", user}}, []kv{{"~r0", ok}, {"~r1", err}})

	l := pb.Money{CurrencyCode: "EUR", Units: int64(10 + i), Nanos: 750_000_000}
	r := pb.Money{CurrencyCode: "EUR", Units: int64(i % 7), Nanos: 500_000_000}
	if i%3 == 2 {
		r.CurrencyCode = "USD"
	}
	sum, err := shop.Sum(l, r)
	rec.Call(shopPkg+"Sum", []kv{{"l", l}, {"r", r}}, []kv{{"~r0", sum}, {"~r1", err}})

	withUser := &shop.Request{ID: int64(100 + i), User: &shop.User{Name: "dora", Age: 30 + i%50}}
	n, err := svc.Handle(withUser)
	rec.Call(shopPkg+"(*Service).Handle", []kv{{"s", svc}, {"req", withUser}}, []kv{{"~r0", n}, {"~r1", err}})
	noUser := &shop.Request{ID: int64(200 + i)}
	n, err = svc.Handle(noUser)
	rec.Call(shopPkg+"(*Service).Handle", []kv{{"s", svc}, {"req", noUser}}, []kv{{"~r0", n}, {"~r1", err}})

	cart := shop.Cart{Owner: "erin", Items: 3 + i%4}
	total := cart.Total(250)
	rec.Call(shopPkg+"Cart.Total", []kv{{"c", cart}, {"price", 250}}, []kv{{"~r0", total}})
	before := cart
	items := cart.Add(2)
	rec.Call(shopPkg+"(*Cart).Add", []kv{{"c", before}, {"n", 2}}, []kv{{"~r0", items}})

	for _, id := range []int{2, 99, -1} {
		name, found, err := svc.Lookup(id)
		rec.Call(shopPkg+"(*Service).Lookup", []kv{{"s", svc}, {"id", id}},
			[]kv{{"name", name}, {"found", found}, {"err", err}})
	}

	raw := []byte("  Frank  ")
	norm := shop.Normalize(raw)
	rec.Call(shopPkg+"Normalize", []kv{{"raw", raw}}, []kv{{"~r0", norm}})

	g := shop.Greeting(norm)
	rec.Call(shopPkg+"Greeting", []kv{{"name", norm}}, []kv{{"~r0", g}})
}

func abiCalls(i int) {
	k := int64(i)
	nine := abi.Nine{A: 1 + k, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8, I: 9}
	r := abi.FillNine(nine)
	rec.Call(abiPkg+"FillNine", []kv{{"s", nine}}, []kv{{"~r0", r}})

	ten := abi.Ten{A: 11 + k, B: 12, C: 13, D: 14, E: 15, F: 16, G: 17, H: 18, I: 19, J: 20}
	r = abi.Spill(7, ten, 8+k)
	rec.Call(abiPkg+"Spill", []kv{{"a", 7}, {"t", ten}, {"b", 8 + k}}, []kv{{"~r0", r}})

	for _, x := range []int64{4 + 2*k, 5 + 2*k} {
		p, err := abi.MakePair(x)
		rec.Call(abiPkg+"MakePair", []kv{{"x", x}}, []kv{{"~r0", p}, {"~r1", err}})
	}

	m := abi.Mixed{A: 3, F: 2.5, B: 40 + k}
	r = abi.MixIt(m)
	rec.Call(abiPkg+"MixIt", []kv{{"m", m}}, []kv{{"~r0", r}})

	z := abi.ZeroArr{A: 50 + k, B: 8}
	r = abi.Zeroed(z)
	rec.Call(abiPkg+"Zeroed", []kv{{"z", z}}, []kv{{"~r0", r}})

	one, two := [1]int64{1 + k}, [2]int64{2, 3}
	r = abi.Arrays(one, two, 4)
	rec.Call(abiPkg+"Arrays", []kv{{"one", one}, {"two", two}, {"c", 4}}, []kv{{"~r0", r}})

	// a long and a short call: indexes that are in range in the first are past the end in the
	// second (a one-byte string, a nil byte slice, a one-element slice)
	s, b, xs := "gopher", []byte("bytes!"), []int{1, 2, 3 + i}
	n, up := abi.Strs(s, b, xs)
	rec.Call(abiPkg+"Strs", []kv{{"s", s}, {"b", b}, {"xs", xs}}, []kv{{"~r0", n}, {"~r1", up}})
	s, b, xs = "g", nil, []int{7 + i}
	n, up = abi.Strs(s, b, xs)
	rec.Call(abiPkg+"Strs", []kv{{"s", s}, {"b", b}, {"xs", xs}}, []kv{{"~r0", n}, {"~r1", up}})

	f := abi.Scale(1.25, 4+i)
	rec.Call(abiPkg+"Scale", []kv{{"x", 1.25}, {"k", 4 + i}}, []kv{{"~r0", f}})

	u := abi.Smalls(i%2 == 0, -5, 65000, -70000, 1<<40+uint64(i))
	rec.Call(abiPkg+"Smalls", []kv{{"ok", i%2 == 0}, {"i8", -5}, {"u16", 65000}, {"i32", -70000}, {"u64", 1<<40 + uint64(i)}},
		[]kv{{"~r0", u}})

	lvl := abi.Level(i % 5)
	c := abi.Classify(lvl)
	rec.Call(abiPkg+"Classify", []kv{{"l", int(lvl)}}, []kv{{"~r0", c}})

	rect := &abi.Rect{W: 3 + k, H: 4}
	area := abi.Scaled(rect, 10)
	rec.Call(abiPkg+"Scaled", []kv{{"s", rect}, {"k", 10}}, []kv{{"~r0", area}})

	many := abi.Many(1+k, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
	rec.Call(abiPkg+"Many", []kv{{"a1", 1 + k}, {"a2", 2}, {"a3", 3}, {"a4", 4}, {"a5", 5}, {"a6", 6}, {"a7", 7},
		{"a8", 8}, {"a9", 9}, {"a10", 10}, {"a11", 11}}, []kv{{"~r0", many}})

	mi := abi.Max(3+i, 7)
	rec.Call(abiPkg+"Max[go.shape.int]", []kv{{"a", 3 + i}, {"b", 7}}, []kv{{"~r0", mi}})
	ms := abi.Max("pear", "apple")
	rec.Call(abiPkg+"Max[go.shape.string]", []kv{{"a", "pear"}, {"b", "apple"}}, []kv{{"~r0", ms}})
}

func recursion(i int) {
	stress.Fib(*fibN)
}

func crowd(i int) {
	stress.Crowd(*goroutines, *growDepth)
}

func hot(i int) {
	elapsed := stress.HotLoop(*hotCalls, *quiet)
	fmt.Fprintf(os.Stderr, "gotarget: hot calls=%d elapsed_ns=%d ns_per_call=%.1f\n", *hotCalls, elapsed.Nanoseconds(),
		float64(elapsed.Nanoseconds())/float64(max(*hotCalls, 1)))
}

func panics(i int) {
	for _, n := range []int{5 + i, -1 - i} {
		callMustPositive(n)
	}
}

// callMustPositive recovers the panic of MustPositive one frame above it.
func callMustPositive(n int) {
	defer func() {
		if p := recover(); p != nil {
			rec.Panicked(shopPkg+"MustPositive", []kv{{"n", n}}, fmt.Sprint(p))
		}
	}()
	r := shop.MustPositive(n)
	rec.Call(shopPkg+"MustPositive", []kv{{"n", n}}, []kv{{"~r0", r}})
}
