// Package pb holds message types shaped like generated protobuf structs.
package pb

// Money is an amount of money in a currency, like google.type.Money.
type Money struct {
	CurrencyCode string
	Units        int64
	Nanos        int32
}
