// Package abi holds functions whose arguments exercise the corners of Go's internal register ABI:
// a struct filling all nine integer registers, one that spills to the stack, arrays, mixed int and
// float fields, zero-length arrays, small integer kinds, generics.
package abi

// Nine fills exactly the nine integer argument registers (RAX, RBX, RCX, RDI, RSI, R8, R9, R10, R11).
type Nine struct {
	A, B, C, D, E, F, G, H, I int64
}

// Ten needs ten integer registers, so it is passed on the stack.
type Ten struct {
	A, B, C, D, E, F, G, H, I, J int64
}

// Pair is a small struct returned before an error.
type Pair struct {
	X int64
	Y int64
}

// Mixed mixes integer and floating-point fields.
type Mixed struct {
	A int32
	F float64
	B int64
}

// ZeroArr has a zero-length array field between two integers.
type ZeroArr struct {
	A int64
	Z [0]int64
	B int64
}

// Level is an enum-like named integer type.
type Level int

// Levels.
const (
	Debug Level = iota
	Info
	Warn
	Error
)

// FillNine takes a struct that fills all integer registers.
//
//go:noinline
func FillNine(s Nine) int64 {
	return s.A + s.B + s.C + s.D + s.E + s.F + s.G + s.H + s.I
}

// Spill takes a struct that does not fit in registers between two ints: a and b stay in registers.
//
//go:noinline
func Spill(a int64, t Ten, b int64) int64 {
	return a*1000 + t.A + t.J + b
}

// MakePair returns a struct followed by an error; odd x is an error.
//
//go:noinline
func MakePair(x int64) (Pair, error) {
	if x%2 != 0 {
		return Pair{}, errOdd
	}
	return Pair{X: x, Y: x * x}, nil
}

type oddError struct{}

func (oddError) Error() string { return "odd input" }

var errOdd error = oddError{}

// MixIt takes a struct with int and float fields; F travels in an XMM register.
//
//go:noinline
func MixIt(m Mixed) int64 {
	return int64(m.A) + m.B + int64(m.F)
}

// Zeroed takes a struct with a zero-length array field.
//
//go:noinline
func Zeroed(z ZeroArr) int64 {
	return z.A - z.B
}

// Arrays takes a one-element array (in a register) and a two-element array (on the stack).
//
//go:noinline
func Arrays(one [1]int64, two [2]int64, c int64) int64 {
	return one[0] + two[0]*10 + two[1]*100 + c
}

// Strs takes a string, a byte slice and an int slice; returns their total length and the string
// upper-cased first letter.
//
//go:noinline
func Strs(s string, b []byte, xs []int) (int, string) {
	n := len(s) + len(b) + len(xs)
	for _, x := range xs {
		n += x
	}
	if s == "" {
		return n, ""
	}
	first := s[0]
	if first >= 'a' && first <= 'z' {
		first -= 'a' - 'A'
	}
	return n, string(first) + s[1:]
}

// Scale multiplies a float64 by an int.
//
//go:noinline
func Scale(x float64, k int) float64 {
	return x * float64(k)
}

// Smalls takes small integer kinds and a bool.
//
//go:noinline
func Smalls(ok bool, i8 int8, u16 uint16, i32 int32, u64 uint64) uint64 {
	r := u64 + uint64(u16) + uint64(int64(i32)) + uint64(int64(i8))
	if ok {
		r++
	}
	return r
}

// Classify takes an enum-like named integer.
//
//go:noinline
func Classify(l Level) string {
	switch l {
	case Debug:
		return "debug"
	case Info:
		return "info"
	case Warn:
		return "warn"
	case Error:
		return "error"
	}
	return "unknown"
}

// Ordered is the constraint of Max.
type Ordered interface {
	~int | ~int64 | ~string
}

// Max is generic; the targets instantiate it with int and string.
//
//go:noinline
func Max[T Ordered](a, b T) T {
	if a > b {
		return a
	}
	return b
}

// Shape is an interface argument: two words (type, data) in two integer registers.
type Shape interface {
	Area() int64
}

// Rect implements Shape.
type Rect struct {
	W, H int64
}

// Area is the rectangle's area.
func (r *Rect) Area() int64 { return r.W * r.H }

// Scaled takes an interface followed by an int (the int goes in the third integer register).
//
//go:noinline
func Scaled(s Shape, k int64) int64 {
	return s.Area() * k
}

// Many takes eleven integers: the first nine in registers, the last two on the stack.
//
//go:noinline
func Many(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11 int64) int64 {
	return a1 + 2*a2 + 3*a3 + 4*a4 + 5*a5 + 6*a6 + 7*a7 + 8*a8 + 9*a9 + 10*a10 + 11*a11
}
