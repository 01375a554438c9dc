// Package btyd owns OmniFy's buy-till-you-die models of customer purchasing:
// the BG/NBD and Pareto/NBD models of how often a customer buys and whether
// they are still active, the Gamma-Gamma model of how much they spend, and
// customer lifetime value built from both. It also owns the reduction of raw
// transactions to the recency-frequency-monetary summary those models fit.
//
// All likelihoods are written out by hand in log space and maximised over
// log-parameters, so every parameter stays positive and no fit returns NaN:
// degenerate input is reported as an error wrapping ErrInsufficientData or
// ErrInvalidInput. Fits are deterministic for a given FitOptions.Seed.
package btyd

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// ErrInvalidInput reports data that no model can use (negative counts,
// recency after age, non-finite values).
var ErrInvalidInput = errors.New("invalid input")

// ErrInsufficientData reports data that is valid but carries too little
// information to identify a model's parameters.
var ErrInsufficientData = errors.New("insufficient data")

// MinCustomers is the smallest number of customers a fit accepts.
const MinCustomers = 10

// RFM is one customer's calibration-period summary, in a common time unit.
type RFM struct {
	X        float64 // number of repeat transactions
	TX       float64 // time of the last transaction, measured from the first
	T        float64 // time from the first transaction to the end of calibration
	Monetary float64 // mean value of the repeat transactions; 0 when X == 0
}

// FitOptions tunes a maximum-likelihood fit. The zero value is usable.
type FitOptions struct {
	// Seed drives the customer sample and the random starting points.
	Seed int64
	// MaxSample caps the customers used by a fit; larger inputs are fitted
	// on a seeded uniform sample of this size. Zero means 100,000; a
	// negative value disables sampling.
	MaxSample int
	// Starts is the number of optimiser starting points (default 4). With
	// more than 7,500 customers the starts are explored on a seeded pilot
	// sample of 5,000 and only the best is polished on the full sample.
	Starts int
	// MaxEvals caps likelihood evaluations per starting point and for the
	// final polish (default 4000).
	MaxEvals int
}

// DefaultMaxSample is the sample size used when FitOptions.MaxSample is 0.
const DefaultMaxSample = 100_000

// WithDefaults returns o with zero fields replaced by their defaults.
func (o FitOptions) WithDefaults() FitOptions {
	if o.MaxSample == 0 {
		o.MaxSample = DefaultMaxSample
	}
	if o.Starts <= 0 {
		o.Starts = 4
	}
	if o.MaxEvals <= 0 {
		o.MaxEvals = 4000
	}
	return o
}

func validateRFM(data []RFM) error {
	for i, c := range data {
		if !finite(c.X) || !finite(c.TX) || !finite(c.T) || !finite(c.Monetary) {
			return fmt.Errorf("customer %d: non-finite value: %w", i, ErrInvalidInput)
		}
		if c.X < 0 || c.TX < 0 || c.T < 0 {
			return fmt.Errorf("customer %d: negative x, t_x or T: %w", i, ErrInvalidInput)
		}
		if c.TX > c.T {
			return fmt.Errorf("customer %d: t_x %g after T %g: %w", i, c.TX, c.T, ErrInvalidInput)
		}
		if c.X == 0 && c.TX != 0 {
			return fmt.Errorf("customer %d: t_x %g without repeat purchases: %w", i, c.TX, ErrInvalidInput)
		}
	}
	return nil
}

// checkIdentifiable rejects data sets that cannot pin down a purchase
// model: too few customers, no repeat buyers, or no observation time.
func checkIdentifiable(data []RFM) error {
	if len(data) < MinCustomers {
		return fmt.Errorf("%d customers, need at least %d: %w", len(data), MinCustomers, ErrInsufficientData)
	}
	repeaters, maxT := 0, 0.0
	for _, c := range data {
		if c.X > 0 {
			repeaters++
		}
		maxT = math.Max(maxT, c.T)
	}
	if repeaters == 0 {
		return fmt.Errorf("no repeat buyers: %w", ErrInsufficientData)
	}
	if maxT == 0 {
		return fmt.Errorf("no observation time: %w", ErrInsufficientData)
	}
	return nil
}

// sampleRFM returns data itself when it fits in the cap, otherwise a seeded
// uniform sample without replacement of max customers.
func sampleRFM(data []RFM, max int, seed int64) []RFM {
	if max < 0 || len(data) <= max {
		return data
	}
	idx := sampleIndices(len(data), max, seed)
	out := make([]RFM, len(idx))
	for i, j := range idx {
		out[i] = data[j]
	}
	return out
}

// sampleIndices draws k of n indices without replacement (partial
// Fisher-Yates over a lazily materialised permutation).
func sampleIndices(n, k int, seed int64) []int {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x62747964))
	swapped := make(map[int]int, k)
	at := func(i int) int {
		if v, ok := swapped[i]; ok {
			return v
		}
		return i
	}
	out := make([]int, k)
	for i := 0; i < k; i++ {
		j := i + rng.IntN(n-i)
		out[i] = at(j)
		swapped[j] = at(i)
	}
	return out
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// logAddExp returns log(exp(u) + exp(v)) without overflow.
func logAddExp(u, v float64) float64 {
	if math.IsInf(u, -1) {
		return v
	}
	if math.IsInf(v, -1) {
		return u
	}
	if u < v {
		u, v = v, u
	}
	return u + math.Log1p(math.Exp(v-u))
}

// logSubExp returns log(exp(u) - exp(v)) for u >= v; -Inf when they are equal.
func logSubExp(u, v float64) float64 {
	if v >= u {
		return math.Inf(-1)
	}
	return u + math.Log1p(-math.Exp(v-u))
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// lbeta returns log B(a, b) for positive a and b.
func lbeta(a, b float64) float64 { return lgamma(a) + lgamma(b) - lgamma(a+b) }
