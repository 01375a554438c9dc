package btyd

import (
	"fmt"
	"math"
)

// GammaGamma is a fitted Gamma-Gamma spend model (Fader, Hardie & Lee
// 2005): a customer's transaction values are Gamma(P, ν) with ν ~ Gamma(Q,
// Gamma) across customers, independent of how often they buy.
type GammaGamma struct {
	P, Q, Gamma float64
	// LogLik is the log-likelihood of the fitted customers' mean spends.
	LogLik float64
	// SampleSize is the number of repeat buyers the fit used.
	SampleSize int
}

// FitGammaGamma fits the spend model with default options to the customers
// with freq > 0, where monetary is the mean of their repeat transactions.
func FitGammaGamma(freq, monetary []float64) (*GammaGamma, error) {
	return FitGammaGammaOptions(freq, monetary, FitOptions{})
}

// FitGammaGammaOptions is FitGammaGamma with explicit options.
func FitGammaGammaOptions(freq, monetary []float64, opts FitOptions) (*GammaGamma, error) {
	x, m, err := repeatBuyers(freq, monetary)
	if err != nil {
		return nil, fmt.Errorf("fit gamma-gamma: %w", err)
	}
	opts = opts.WithDefaults()
	if opts.MaxSample >= 0 && len(x) > opts.MaxSample {
		idx := sampleIndices(len(x), opts.MaxSample, opts.Seed)
		x, m = pick(x, idx), pick(m, idx)
	}
	lp, f, err := fitSpend(x, m, opts)
	if err != nil {
		return nil, fmt.Errorf("fit gamma-gamma: %w", err)
	}
	g := &GammaGamma{P: math.Exp(lp[0]), Q: math.Exp(lp[1]), Gamma: math.Exp(lp[2])}
	g.LogLik, g.SampleSize = -f*float64(len(x)), len(x)
	return g, nil
}

// fitSpend explores the starting points on a pilot sample when there are
// many buyers, then polishes the best on all of them.
func fitSpend(x, m []float64, opts FitOptions) ([]float64, float64, error) {
	starts := randomStarts([]float64{0, 0, 0}, opts.Starts, opts.Seed)
	full := ggObjective(x, m)
	if len(x) <= pilotSize*3/2 {
		return minimize(full, starts, opts.MaxEvals)
	}
	idx := sampleIndices(len(x), pilotSize, opts.Seed+1)
	best, _, err := bestStart(ggObjective(pick(x, idx), pick(m, idx)), starts, opts.MaxEvals)
	if err != nil {
		return nil, 0, err
	}
	lp, f := polish(full, best, full(best), 0.1, opts.MaxEvals)
	return lp, f, nil
}

// repeatBuyers validates the inputs and keeps the customers with freq > 0.
func repeatBuyers(freq, monetary []float64) ([]float64, []float64, error) {
	if len(freq) != len(monetary) {
		return nil, nil, fmt.Errorf("%d frequencies but %d monetary values: %w", len(freq), len(monetary), ErrInvalidInput)
	}
	var x, m []float64
	for i, f := range freq {
		switch {
		case !finite(f) || !finite(monetary[i]) || f < 0:
			return nil, nil, fmt.Errorf("customer %d: invalid frequency or monetary value: %w", i, ErrInvalidInput)
		case f > 0 && monetary[i] <= 0:
			return nil, nil, fmt.Errorf("customer %d: repeat buyer with non-positive spend %g: %w", i, monetary[i], ErrInvalidInput)
		case f > 0:
			x, m = append(x, f), append(m, monetary[i])
		}
	}
	if len(x) < MinCustomers {
		return nil, nil, fmt.Errorf("%d repeat buyers, need at least %d: %w", len(x), MinCustomers, ErrInsufficientData)
	}
	if allEqual(m) {
		return nil, nil, fmt.Errorf("all repeat buyers spend the same: %w", ErrInsufficientData)
	}
	return x, m, nil
}

func allEqual(v []float64) bool {
	for _, e := range v[1:] {
		if e != v[0] {
			return false
		}
	}
	return true
}

func pick(v []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, j := range idx {
		out[i] = v[j]
	}
	return out
}

// ggObjective returns the negative mean log-likelihood of the mean spends
// m given frequencies x over (log p, log q, log γ). The gamma-function
// terms depend on x alone and are computed once per distinct frequency.
func ggObjective(x, m []float64) objective {
	xIdx, xs := map[float64]int32{}, []float64(nil)
	xi := make([]int32, len(x))
	logM := make([]float64, len(m))
	for i := range m {
		xi[i] = intern(xIdx, &xs, x[i])
		logM[i] = math.Log(m[i])
	}
	perX := make([]float64, len(xs))
	return func(lp []float64) float64 {
		p, q, g := math.Exp(lp[0]), math.Exp(lp[1]), math.Exp(lp[2])
		if !finite(p * q * g) {
			return math.Inf(1)
		}
		common := -lgamma(q) + q*math.Log(g)
		for k, xk := range xs {
			perX[k] = common + lgamma(p*xk+q) - lgamma(p*xk) + p*xk*math.Log(xk)
		}
		sum := 0.0
		for i, xv := range x {
			px := p * xv
			sum += perX[xi[i]] + (px-1)*logM[i] - (px+q)*math.Log(g+m[i]*xv)
		}
		return -sum / float64(len(x))
	}
}

// Params returns the fitted parameters under their conventional names.
func (g *GammaGamma) Params() map[string]float64 {
	return map[string]float64{"p": g.P, "q": g.Q, "gamma": g.Gamma}
}

// ExpectedAverageValue returns the expected mean transaction value of a
// customer with freq repeat transactions averaging monetary: a weighted
// mix of the population mean pγ/(q-1) and the customer's own mean. It
// needs q > 1 (a finite population mean) and returns NaN otherwise.
func (g *GammaGamma) ExpectedAverageValue(freq, monetary float64) float64 {
	if g.Q <= 1 {
		return math.NaN()
	}
	px := g.P * freq
	return g.P * (g.Gamma + monetary*freq) / (px + g.Q - 1)
}

// PopulationMeanValue returns the mean transaction value of a new customer.
func (g *GammaGamma) PopulationMeanValue() float64 { return g.ExpectedAverageValue(0, 0) }
