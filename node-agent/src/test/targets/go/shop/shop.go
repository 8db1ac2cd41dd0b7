// Package shop is a small service whose methods are traced by dynlog's tests: logins, money sums,
// requests with pointer chains, carts with value and pointer receivers, and lookups with named
// results.
package shop

import (
	"errors"
	"fmt"
	"strings"

	"dynlog.dev/targets/pb"
)

// Service holds the users known to the shop.
type Service struct {
	Name  string
	Users map[string]int
}

// User is a customer.
type User struct {
	Name string
	Age  int
}

// Request is an incoming request; User may be nil.
type Request struct {
	ID   int64
	User *User
}

// Cart is a shopping cart.
type Cart struct {
	Owner string
	Items int
}

// ErrUnknownUser is returned by Login for users the service does not know.
var ErrUnknownUser = errors.New("unknown user")

// NewService returns a service knowing alice, bob and carol.
func NewService() *Service {
	return &Service{Name: "shop", Users: map[string]int{"alice": 1, "bob": 2, "carol": 3}}
}

// Login reports whether username is known; an empty or unknown name is an error.
//
//go:noinline
func (s *Service) Login(username string) (bool, error) {
	if username == "" {
		return false, errors.New("empty username")
	}
	if _, ok := s.Users[username]; !ok {
		return false, ErrUnknownUser
	}
	return true, nil
}

// Sum adds two amounts of the same currency.
//
//go:noinline
func Sum(l, r pb.Money) (pb.Money, error) {
	if l.CurrencyCode != r.CurrencyCode {
		return pb.Money{}, fmt.Errorf("currency mismatch: %s != %s", l.CurrencyCode, r.CurrencyCode)
	}
	units := l.Units + r.Units
	nanos := l.Nanos + r.Nanos
	if nanos >= 1_000_000_000 {
		units++
		nanos -= 1_000_000_000
	}
	return pb.Money{CurrencyCode: l.CurrencyCode, Units: units, Nanos: nanos}, nil
}

// Handle serves req: the user's name length plus the request id, or an error when the user is nil.
//
//go:noinline
func (s *Service) Handle(req *Request) (int64, error) {
	if req.User == nil {
		return 0, fmt.Errorf("request %d has no user", req.ID)
	}
	return req.ID + int64(len(req.User.Name)), nil
}

// Total is a value-receiver method: the cart's price at price per item.
//
//go:noinline
func (c Cart) Total(price int) int {
	return c.Items * price
}

// Add is a pointer-receiver method: adds n items and returns the new count.
//
//go:noinline
func (c *Cart) Add(n int) int {
	c.Items += n
	return c.Items
}

// Lookup has named results and ends in an error.
//
//go:noinline
func (s *Service) Lookup(id int) (name string, found bool, err error) {
	for n, i := range s.Users {
		if i == id {
			return n, true, nil
		}
	}
	if id < 0 {
		return "", false, fmt.Errorf("negative id %d", id)
	}
	return "", false, nil
}

// Greeting is deliberately small and left inlinable (no //go:noinline): in optimised builds it is
// inlined into its callers, and the resolver must say so.
func Greeting(name string) string {
	return "hello " + name
}

// Normalize lower-cases and trims a user name ([]byte in, string out).
//
//go:noinline
func Normalize(raw []byte) string {
	return strings.ToLower(strings.TrimSpace(string(raw)))
}

// MustPositive panics when n is negative; callers recover.
//
//go:noinline
func MustPositive(n int) int {
	if n < 0 {
		panic(fmt.Sprintf("negative: %d", n))
	}
	return n * 2
}
