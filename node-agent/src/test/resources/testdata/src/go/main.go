// Command fixture is dynlog's Go test fixture: the smallest program whose functions exercise the
// Go internal register ABI (ints, strings, a struct split across registers, a struct spilled to
// the stack, slices, a float, a method, an error result). It imports nothing, to stay small.
package main

// Point is split field by field into four integer registers.
type Point struct {
	X, Y int64
	Name string
}

// Ten needs ten integer registers, so it is passed on the stack.
type Ten struct {
	A, B, C, D, E, F, G, H, I, J int64
}

// Counter has a method with a pointer receiver.
type Counter struct {
	N     int
	Label string
}

type failure struct{ code int }

func (f *failure) Error() string { return "failure" }

var sink int

//go:noinline
func Ints(a int, b int32, c uint8, d int64) int { return a + int(b) + int(c) + int(d) }

//go:noinline
func Str(s string, n int) string {
	if n < len(s) {
		return s[:n]
	}
	return s
}

//go:noinline
func Split(p Point, k int64) int64 { return p.X*k + p.Y + int64(len(p.Name)) }

//go:noinline
func Spill(a int64, t Ten, b int64) int64 { return a*1000 + t.A + t.J + b }

//go:noinline
func Slices(xs []int, b []byte) int {
	n := len(b)
	for _, x := range xs {
		n += x
	}
	return n
}

//go:noinline
func Scale(x float64, k int) float64 { return x * float64(k) }

//go:noinline
func MayFail(x int) (int, error) {
	if x < 0 {
		return 0, &failure{code: x}
	}
	return x * 2, nil
}

//go:noinline
func (c *Counter) Add(n int, label string) int {
	c.N += n
	c.Label = label
	return c.N
}

func main() {
	c := &Counter{}
	p := Point{X: 1, Y: 2, Name: "p"}
	t := Ten{A: 1, J: 10}
	r, err := MayFail(sink - 1)
	if err != nil {
		println(err.Error())
	}
	sink = Ints(1, 2, 3, 4) + len(Str("hello", 3)) + int(Split(p, 3)) + int(Spill(1, t, 2)) +
		Slices([]int{1, 2, 3}, []byte("ab")) + int(Scale(1.5, 2)) + r + c.Add(5, "five")
	println(sink)
}
