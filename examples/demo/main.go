// Command demo is a tiny payment service to try dynlog on. It logs users in and adds up amounts
// of money under a built-in synthetic load (a few calls per second, some of them failing), and
// prints nothing except, with -stats, one short line per interval.
package main

import (
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Money is an amount of money in a currency, like google.type.Money.
type Money struct {
	CurrencyCode string
	Units        int64
	Nanos        int32
}

// Service knows its users and whether each account is locked (a stand-in for a user store).
type Service struct {
	users map[string]bool
}

var errUnknownUser = errors.New("unknown user")

// Login reports whether username may log in: unknown users are an error, locked ones are refused.
//
//go:noinline
func (s *Service) Login(username string) (bool, error) {
	time.Sleep(time.Duration(200+rand.Intn(800)) * time.Microsecond) // pretend to query a database
	locked, ok := s.users[username]
	if !ok {
		return false, errUnknownUser
	}
	return !locked, nil
}

// Sum adds two amounts of the same currency.
//
//go:noinline
func Sum(l, r Money) (Money, error) {
	if l.CurrencyCode != r.CurrencyCode {
		return Money{}, fmt.Errorf("cannot add %s to %s", r.CurrencyCode, l.CurrencyCode)
	}
	units := l.Units + r.Units
	nanos := l.Nanos + r.Nanos
	if nanos >= 1_000_000_000 {
		units++
		nanos -= 1_000_000_000
	}
	return Money{CurrencyCode: l.CurrencyCode, Units: units, Nanos: nanos}, nil
}

var (
	names      = []string{"alice", "bob", "carol", "dave", "mallory"}
	currencies = []string{"EUR", "EUR", "EUR", "USD"}
)

func main() {
	rate := flag.Float64("rate", 4, "load: calls per second of each function")
	stats := flag.Duration("stats", 0, "print a short stat line at this interval (0 = print nothing)")
	flag.Parse()
	if *rate <= 0 {
		fmt.Fprintln(os.Stderr, "demo: -rate must be positive")
		os.Exit(2)
	}

	svc := &Service{users: map[string]bool{"alice": false, "bob": false, "carol": true}}
	tick := time.NewTicker(time.Duration(float64(time.Second) / *rate))
	defer tick.Stop()
	var statTick <-chan time.Time
	if *stats > 0 {
		t := time.NewTicker(*stats)
		defer t.Stop()
		statTick = t.C
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)

	var calls, failures int
	for {
		select {
		case <-stop:
			return
		case <-statTick:
			fmt.Printf("demo: %d calls, %d errors\n", calls, failures)
		case <-tick.C:
			if _, err := svc.Login(names[rand.Intn(len(names))]); err != nil {
				failures++
			}
			l := Money{CurrencyCode: "EUR", Units: rand.Int63n(100), Nanos: int32(rand.Intn(1_000_000_000))}
			r := Money{CurrencyCode: currencies[rand.Intn(len(currencies))], Units: rand.Int63n(100),
				Nanos: int32(rand.Intn(1_000_000_000))}
			if _, err := Sum(l, r); err != nil {
				failures++
			}
			calls += 2
		}
	}
}
