package demo

import (
	"fmt"
	"math"
)

// Persona is a latent customer type: the distributions from which its
// customers' purchase rate, drop-out probability and spend are drawn.
type Persona struct {
	Name  string
	Share float64 // relative weight among the personas
	// R and Alpha shape the purchase rate λ ~ Gamma(R, Alpha) per week.
	R, Alpha float64
	// A and B shape the drop-out probability after each repeat purchase,
	// p ~ Beta(A, B).
	A, B float64
	// SpendP, SpendQ and SpendGamma are the Gamma-Gamma spend parameters:
	// order values ~ Gamma(SpendP, ν), ν ~ Gamma(SpendQ, SpendGamma), so the
	// mean order value is SpendP·SpendGamma/(SpendQ-1).
	SpendP, SpendQ, SpendGamma float64
	// Regularity is the Erlang shape of the gaps between purchases: 1 is a
	// Poisson process, larger values give subscription-like regularity.
	Regularity int
	// Holiday selects the sharp gift-season profile instead of the
	// ordinary seasonality.
	Holiday bool
}

// Persona names of DefaultPersonas.
const (
	LoyalHighSpender  = "loyal_high_spender"
	BargainHunter     = "bargain_hunter"
	OneTimeBuyer      = "one_time_buyer"
	SeasonalGiftBuyer = "seasonal_gift_buyer"
	Subscriber        = "subscriber"
	Lapsed            = "lapsed"
)

// DefaultPersonas returns six personas that differ in frequency, loyalty,
// spend and timing. Together they average about ten orders per customer
// over the default two years.
func DefaultPersonas() []Persona {
	return []Persona{
		{Name: LoyalHighSpender, Share: 0.12, R: 6, Alpha: 8, A: 1, B: 60, SpendP: 8, SpendQ: 6, SpendGamma: 75, Regularity: 1},
		{Name: BargainHunter, Share: 0.22, R: 3, Alpha: 8, A: 1.5, B: 40, SpendP: 4, SpendQ: 5, SpendGamma: 24, Regularity: 1},
		{Name: OneTimeBuyer, Share: 0.26, R: 0.6, Alpha: 12, A: 5, B: 3, SpendP: 5, SpendQ: 4, SpendGamma: 33, Regularity: 1},
		{Name: SeasonalGiftBuyer, Share: 0.12, R: 3, Alpha: 15, A: 1, B: 12, SpendP: 6, SpendQ: 4, SpendGamma: 45, Regularity: 1, Holiday: true},
		{Name: Subscriber, Share: 0.12, R: 40, Alpha: 90, A: 1, B: 60, SpendP: 60, SpendQ: 30, SpendGamma: 17, Regularity: 6},
		{Name: Lapsed, Share: 0.16, R: 4, Alpha: 8, A: 3, B: 4, SpendP: 5, SpendQ: 4, SpendGamma: 27, Regularity: 1},
	}
}

// MeanOrderValue returns the persona's mean order value in currency
// units, pγ/(q-1), or +Inf when q <= 1.
func (p Persona) MeanOrderValue() float64 {
	if p.SpendQ <= 1 {
		return math.Inf(1)
	}
	return p.SpendP * p.SpendGamma / (p.SpendQ - 1)
}

func (p Persona) validate() error {
	for _, v := range []float64{p.Share, p.R, p.Alpha, p.A, p.B, p.SpendP, p.SpendQ, p.SpendGamma} {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("persona %q: parameters must be positive and finite", p.Name)
		}
	}
	if p.Name == "" || p.Regularity < 1 {
		return fmt.Errorf("persona %q: needs a name and regularity >= 1", p.Name)
	}
	return nil
}
